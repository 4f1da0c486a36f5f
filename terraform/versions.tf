terraform {
  required_version = ">= 1.6.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
    # Only for Firebase project management, which the GA provider lacks.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "~> 6.0"
    }
  }

  # State lives in a GCS bucket created once by hand (see README.md); the bucket
  # name is passed at init time so this file names no project.
  backend "gcs" {
    prefix = "aksio/production"
  }
}
