provider "google" {
  project = var.project_id
  region  = var.region
  # Firebase and Identity Toolkit APIs bill quota to a project; with user
  # credentials they need the project named explicitly.
  user_project_override = true
  billing_project       = var.project_id

  default_labels = {
    app         = "aksio"
    environment = "production"
    managed-by  = "terraform"
  }
}

provider "google-beta" {
  project               = var.project_id
  region                = var.region
  user_project_override = true
  billing_project       = var.project_id
}

data "google_project" "this" {
  project_id = var.project_id
}
