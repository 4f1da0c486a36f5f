resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  project     = var.project_id
  name        = local.resource_names[each.key]
  location    = var.region
  description = "Aksio ${each.key} (${each.value.kind})"

  build_config {
    runtime         = "python312"
    entry_point     = each.key # the decorated function in functions/<name>/main.py
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source[each.key].name
      }
    }

    # Rebuild on the patched base image without a code change.
    automatic_update_policy {}
  }

  service_config {
    service_account_email = google_service_account.function[each.key].email
    available_memory      = each.value.memory
    available_cpu         = each.value.cpu
    timeout_seconds       = each.value.timeout_seconds
    min_instance_count    = each.value.min_instances
    max_instance_count    = each.value.max_instances
    # One request per instance until the code is load-tested for thread safety.
    max_instance_request_concurrency = each.value.concurrency
    all_traffic_on_latest_revision   = true

    # API functions only through the load balancer (Cloud Armor cannot be
    # bypassed); the event function only from Eventarc; the task worker and
    # the Stripe webhook are called on their own URLs by Google and Stripe.
    ingress_settings = lookup({
      http    = "ALLOW_INTERNAL_AND_GCLB"
      event   = "ALLOW_INTERNAL_ONLY"
      task    = "ALLOW_ALL"
      webhook = "ALLOW_ALL"
    }, each.value.kind)

    environment_variables = merge(local.common_env, each.value.env)

    dynamic "secret_environment_variables" {
      for_each = [for key in each.value.secrets : key if contains(var.secrets_with_versions, key)]
      content {
        key        = "AKSIO_${upper(secret_environment_variables.value)}"
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        # "latest" is read when an instance starts; rotate, then redeploy or let instances recycle.
        version = "latest"
      }
    }
  }

  dynamic "event_trigger" {
    for_each = each.value.kind == "event" ? [true] : []
    content {
      trigger_region        = var.region # the uploads bucket's region
      event_type            = "google.cloud.storage.object.v1.finalized"
      retry_policy          = "RETRY_POLICY_RETRY" # transient failures retry; the handler is idempotent on bucket/name#generation
      service_account_email = google_service_account.eventarc.email

      event_filters {
        attribute = "bucket"
        value     = google_storage_bucket.uploads.name
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.build,
    google_storage_bucket_iam_member.build_reads_sources,
    google_secret_manager_secret_iam_member.function_secret,
    google_project_iam_member.eventarc_receiver,
    google_project_iam_member.gcs_pubsub_publisher,
  ]
}
