resource "google_firebase_project" "this" {
  provider = google-beta
  project  = var.project_id

  depends_on = [google_project_service.apis]
}

# Firebase Auth itself (email/password sign-in, authorized domains) is enabled
# once in the Firebase console: managing it here would upgrade the project to
# Identity Platform (google_identity_platform_config), a billing decision.

resource "google_firestore_database" "main" {
  project     = var.project_id
  name        = "(default)" # the database the Firebase client SDK and rules use
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"
  # Server-SDK transactions lock what they read (DESIGN.md relies on it).
  concurrency_mode                  = "PESSIMISTIC"
  app_engine_integration_mode       = "DISABLED"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  deletion_policy                   = "ABANDON" # never drop user data on terraform destroy

  depends_on = [google_project_service.apis]
}

# --- security rules (firestore.rules at the repo root) -----------------------

resource "google_firebaserules_ruleset" "firestore" {
  project = var.project_id

  source {
    files {
      name    = "firestore.rules"
      content = file("${local.repo_root}/firestore.rules")
    }
  }

  lifecycle {
    create_before_destroy = true # the release must never point at a deleted ruleset
  }

  depends_on = [google_firestore_database.main, google_firebase_project.this]
}

resource "google_firebaserules_release" "firestore" {
  project      = var.project_id
  name         = "cloud.firestore" # the release the (default) database enforces
  ruleset_name = "projects/${var.project_id}/rulesets/${google_firebaserules_ruleset.firestore.name}"
}

# --- indexes (firestore.indexes.json at the repo root, Firebase CLI format) --

locals {
  firestore_indexes_file = jsondecode(file("${local.repo_root}/firestore.indexes.json"))

  # Keyed by content so adding or removing one index touches only that index.
  firestore_indexes = {
    for ix in try(local.firestore_indexes_file.indexes, []) :
    join("|", concat(
      [ix.collectionGroup, ix.queryScope],
      [for f in ix.fields : "${f.fieldPath}:${try(f.order, "")}${try(f.arrayConfig, "")}${try(jsonencode(f.vectorConfig), "")}"],
    )) => ix
  }

  firestore_field_overrides = {
    for fo in try(local.firestore_indexes_file.fieldOverrides, []) :
    "${fo.collectionGroup}|${fo.fieldPath}" => fo
  }
}

resource "google_firestore_index" "index" {
  for_each = local.firestore_indexes

  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = each.value.collectionGroup
  query_scope = each.value.queryScope

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = try(fields.value.order, null)
      array_config = try(fields.value.arrayConfig, null)

      dynamic "vector_config" {
        for_each = can(fields.value.vectorConfig) ? [fields.value.vectorConfig] : []
        content {
          dimension = vector_config.value.dimension
          flat {}
        }
      }
    }
  }
}

resource "google_firestore_field" "override" {
  for_each = local.firestore_field_overrides

  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = each.value.collectionGroup
  field      = each.value.fieldPath

  # An index_config replaces the automatic single-field indexes of this field,
  # so the JSON lists the collection-scope ones it keeps as well.
  index_config {
    dynamic "indexes" {
      for_each = try(each.value.indexes, [])
      content {
        query_scope  = indexes.value.queryScope
        order        = try(indexes.value.order, null)
        array_config = try(indexes.value.arrayConfig, null)
      }
    }
  }

  dynamic "ttl_config" {
    for_each = try(each.value.ttl, false) ? [true] : []
    content {}
  }
}
