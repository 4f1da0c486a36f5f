output "api_base_url" {
  description = "Base URL of the public API (paths /api/v1/..., /api/health/, /api/openapi.json)."
  value       = "https://${var.api_domain}/api"
}

output "api_ip_address" {
  description = "Point the API domain's DNS A record here; the managed certificate provisions once it resolves."
  value       = google_compute_global_address.api.address
}

output "function_urls" {
  description = "Direct URLs of every deployed function (API functions accept traffic only through the load balancer)."
  value       = { for name, fn in google_cloudfunctions2_function.fn : name => fn.service_config[0].uri }
}

output "stripe_webhook_url" {
  description = "Register this URL as the Stripe webhook endpoint (null until stripe_webhook is deployed)."
  value       = try(google_cloudfunctions2_function.fn["stripe_webhook"].service_config[0].uri, null)
}

output "task_worker_url" {
  description = "Cloud Tasks target URL (AKSIO_TASK_WORKER_URL)."
  value       = local.task_worker_url
}

output "uploads_bucket" {
  value = google_storage_bucket.uploads.name
}

output "tasks_queue" {
  value = google_cloud_tasks_queue.jobs.id
}

output "deployed_functions" {
  description = "Functions deployed from this checkout (those with functions/<name>/main.py)."
  value       = sort(keys(local.functions))
}
