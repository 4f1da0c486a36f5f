# Empty secrets; values are added out of band so they never sit in state:
#   printf %s "$KEY" | gcloud secrets versions add aksio-openai-api-key --data-file=-
# then list the key in var.secrets_with_versions so functions mount it.
resource "google_secret_manager_secret" "secret" {
  for_each = var.secrets

  project   = var.project_id
  secret_id = each.value

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}
