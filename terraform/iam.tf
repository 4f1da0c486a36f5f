# One runtime identity per function, so each holds only what its code uses and
# a leak of one function's token does not open the others' data.
resource "google_service_account" "function" {
  for_each = local.functions

  project      = var.project_id
  account_id   = trimsuffix(substr("${local.resource_names[each.key]}-fn", 0, 30), "-")
  display_name = "Aksio ${each.key} function runtime"
}

# Identity Cloud Tasks uses to mint the OIDC token it sends to task_worker.
resource "google_service_account" "tasks_invoker" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-tasks-invoker"
  display_name = "Aksio Cloud Tasks -> task_worker invoker (OIDC)"
}

# Identity Eventarc uses to deliver Storage events to document_uploaded.
resource "google_service_account" "eventarc" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-eventarc"
  display_name = "Aksio Eventarc trigger (Storage -> document_uploaded)"
}

# Builds the function images; the default compute SA is no longer granted
# build rights in new projects, and should not be.
resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-functions-build"
  display_name = "Aksio Cloud Functions build"
}

# --- runtime permissions -------------------------------------------------

# Every function reads and writes Firestore documents (no index/rules admin).
resource "google_project_iam_member" "firestore_user" {
  for_each = local.functions

  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.function[each.key].email}"
}

resource "google_storage_bucket_iam_member" "uploads_object_admin" {
  for_each = { for name, cfg in local.functions : name => cfg if cfg.uses_storage }

  bucket = google_storage_bucket.uploads.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Signed upload URLs without a key file: the function signs through the IAM
# signBlob API as itself, which needs Token Creator on its own account.
resource "google_service_account_iam_member" "self_sign" {
  for_each = { for name, cfg in local.functions : name => cfg if cfg.signs_urls }

  service_account_id = google_service_account.function[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.function[each.key].email}"
}

resource "google_cloud_tasks_queue_iam_member" "enqueuer" {
  for_each = { for name, cfg in local.functions : name => cfg if cfg.enqueues_tasks }

  project  = var.project_id
  location = google_cloud_tasks_queue.jobs.location
  name     = google_cloud_tasks_queue.jobs.name
  role     = "roles/cloudtasks.enqueuer"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Creating a task with an OIDC token for another account requires actAs on it.
resource "google_service_account_iam_member" "enqueuer_acts_as_invoker" {
  for_each = { for name, cfg in local.functions : name => cfg if cfg.enqueues_tasks }

  service_account_id = google_service_account.tasks_invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Firebase Auth: viewer suffices to verify ID tokens with revocation checks;
# admin only where code creates, updates or deletes users. Auth has no
# per-resource IAM, so these are project-level grants.
resource "google_project_iam_member" "firebase_auth" {
  for_each = { for name, cfg in local.functions : name => cfg if cfg.firebase_auth != "none" }

  project = var.project_id
  role    = local.firebase_auth_roles[each.value.firebase_auth]
  member  = "serviceAccount:${google_service_account.function[each.key].email}"
}

resource "google_secret_manager_secret_iam_member" "function_secret" {
  for_each = local.function_secrets

  project   = var.project_id
  secret_id = google_secret_manager_secret.secret[each.value.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

# --- invokers ----------------------------------------------------------------

# Gen2 functions are Cloud Run services: invocation is run.invoker on the service.
# HTTP API functions and the Stripe webhook are public; they authenticate in
# code (Firebase ID tokens, Stripe-Signature). Ingress still limits the API
# functions to the load balancer (functions.tf).
resource "google_cloud_run_service_iam_member" "public" {
  for_each = local.public_functions

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "tasks_invoker" {
  for_each = { for name, cfg in local.functions : name => cfg if cfg.kind == "task" }

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.tasks_invoker.email}"
}

resource "google_cloud_run_service_iam_member" "eventarc_invoker" {
  for_each = { for name, cfg in local.functions : name => cfg if cfg.kind == "event" }

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.eventarc.email}"
}

resource "google_project_iam_member" "eventarc_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.eventarc.email}"
}

# Storage publishes its notifications to Pub/Sub, Eventarc's transport.
data "google_storage_project_service_account" "gcs" {
  project = var.project_id
}

resource "google_project_iam_member" "gcs_pubsub_publisher" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}

# --- build -------------------------------------------------------------------

resource "google_project_iam_member" "build" {
  for_each = toset([
    "roles/cloudbuild.builds.builder",
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
  ])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.build.email}"
}

resource "google_storage_bucket_iam_member" "build_reads_sources" {
  bucket = google_storage_bucket.sources.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.build.email}"
}
