locals {
  repo_root = abspath("${path.module}/${var.source_dir}")

  # Deploy only the functions whose entry module exists in this checkout.
  functions = {
    for name, cfg in var.functions : name => cfg
    if fileexists("${local.repo_root}/functions/${name}/main.py")
  }

  # Cloud resource names: lower-case with hyphens (Cloud Run service names
  # allow no underscores); the Python entry point keeps the directory name.
  resource_names = { for name in keys(local.functions) : name => "${var.name_prefix}-${replace(name, "_", "-")}" }

  http_functions = { for name, cfg in local.functions : name => cfg if cfg.kind == "http" }
  # Reachable from the internet without a Google identity; each authenticates
  # in code (Firebase ID tokens, Stripe signatures).
  public_functions = { for name, cfg in local.functions : name => cfg if contains(["http", "webhook"], cfg.kind) }

  # The worker's URL is needed by every function that enqueues, including the
  # worker itself, so it cannot come from the function resource (a cycle):
  # Cloud Run's deterministic URL https://SERVICE-PROJECT_NUMBER.REGION.run.app
  # is known before the function exists. No path: the worker does not route on
  # it, and the bare service URL is an OIDC audience Cloud Run's IAM check
  # always accepts (the worker checks the same value as audience).
  task_worker_url = "https://${var.name_prefix}-task-worker-${data.google_project.this.number}.${var.region}.run.app"

  common_env = {
    AKSIO_ENVIRONMENT           = "production"
    AKSIO_PROJECT_ID            = var.project_id
    AKSIO_REGION                = var.region
    AKSIO_DOCUMENT_STORE        = "firestore"
    AKSIO_FIRESTORE_DATABASE    = google_firestore_database.main.name
    AKSIO_BLOB_STORE            = "gcs"
    AKSIO_BUCKET                = google_storage_bucket.uploads.name
    AKSIO_TASK_QUEUE            = "cloudtasks"
    AKSIO_TASKS_QUEUE_NAME      = google_cloud_tasks_queue.jobs.name
    AKSIO_TASK_WORKER_URL       = local.task_worker_url
    AKSIO_TASKS_SERVICE_ACCOUNT = google_service_account.tasks_invoker.email
    AKSIO_CORS_ORIGINS          = jsonencode(var.cors_origins) # pydantic-settings reads lists as JSON
    AKSIO_FIREBASE_API_KEY      = var.firebase_web_api_key
    AKSIO_LOG_LEVEL             = var.log_level
    # The worker must know the queue's RetryConfig to tell the last attempt.
    AKSIO_TASK_MAX_ATTEMPTS  = tostring(var.tasks_queue.max_attempts)
    AKSIO_TASK_MIN_BACKOFF_S = trimsuffix(var.tasks_queue.min_backoff, "s")
    AKSIO_TASK_MAX_BACKOFF_S = trimsuffix(var.tasks_queue.max_backoff, "s")
    AKSIO_TASK_MAX_DOUBLINGS = tostring(var.tasks_queue.max_doublings)
    LOG_EXECUTION_ID         = "true" # functions-framework adds the execution id to log lines
  }

  # (function, secret key) pairs to mount and to grant.
  function_secrets = merge([
    for name, cfg in local.functions : {
      for key in cfg.secrets : "${name}/${key}" => { function = name, key = key }
      if contains(var.secrets_with_versions, key)
    }
  ]...)

  firebase_auth_roles = {
    admin  = "roles/firebaseauth.admin"
    viewer = "roles/firebaseauth.viewer" # verify_id_token(check_revoked=True) reads the user
  }
}
