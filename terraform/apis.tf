locals {
  apis = toset([
    "artifactregistry.googleapis.com", # images built from the function sources
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudtasks.googleapis.com",
    "compute.googleapis.com", # load balancer
    "eventarc.googleapis.com",
    "firebase.googleapis.com",
    "firebaserules.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",  # signBlob for signed upload URLs, OIDC tokens
    "identitytoolkit.googleapis.com", # Firebase Auth
    "logging.googleapis.com",
    "pubsub.googleapis.com", # Eventarc's transport for Storage events
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])
}

resource "google_project_service" "apis" {
  for_each = local.apis

  project = var.project_id
  service = each.value
  # Turning an API off on destroy would break anything else in the project.
  disable_on_destroy = false
}
