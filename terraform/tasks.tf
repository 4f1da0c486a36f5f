# Background jobs (document processing, plan and card generation). Delivery is
# at least once; the worker is idempotent per task, and a task name dedupes
# creation for about an hour.
resource "google_cloud_tasks_queue" "jobs" {
  project  = var.project_id
  name     = var.tasks_queue.name
  location = var.region

  rate_limits {
    # Caps the load jobs put on Firestore and on the model API together.
    max_dispatches_per_second = var.tasks_queue.max_dispatches_per_second
    max_concurrent_dispatches = var.tasks_queue.max_concurrent_dispatches
  }

  retry_config {
    max_attempts       = var.tasks_queue.max_attempts
    max_retry_duration = var.tasks_queue.max_retry_duration
    min_backoff        = var.tasks_queue.min_backoff
    max_backoff        = var.tasks_queue.max_backoff
    max_doublings      = var.tasks_queue.max_doublings
  }

  stackdriver_logging_config {
    sampling_ratio = 1.0 # every attempt logged: jobs are few and failures need a trail
  }

  depends_on = [google_project_service.apis]
}
