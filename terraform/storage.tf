# Course material uploaded by browsers (resumable uploads to signed URLs) and
# read by document_uploaded. Private: access only through the functions' IAM
# and URLs they sign.
resource "google_storage_bucket" "uploads" {
  project  = var.project_id
  name     = "${var.project_id}-${var.name_prefix}-uploads"
  location = upper(var.region) # regional: the Eventarc trigger must be in the bucket's region

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.uploads.force_destroy

  # Browsers PUT/POST directly with signed URLs; the resumable protocol needs
  # these headers readable and sendable across origins.
  cors {
    origin          = var.cors_origins
    method          = ["GET", "HEAD", "PUT", "POST", "OPTIONS"]
    response_header = ["Content-Type", "Content-Length", "Content-Range", "Range", "Location", "ETag", "x-goog-resumable", "x-goog-generation"]
    max_age_seconds = var.uploads.cors_max_age_seconds
  }

  # Abandoned uploads: a JSON-API resumable session that is never finished
  # creates no object and expires after a week on its own; XML multipart
  # uploads keep billable parts until aborted, so abort them after a day.
  lifecycle_rule {
    condition {
      age = var.uploads.incomplete_multipart_age_days
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_project_service.apis]
}

# Zipped function sources built by `nox -s package`.
resource "google_storage_bucket" "sources" {
  project  = var.project_id
  name     = "${var.project_id}-${var.name_prefix}-function-sources"
  location = upper(var.region)

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  depends_on = [google_project_service.apis]
}

# Named by content hash so a code change is a new object, which makes the
# function resource see a new source and redeploy; unchanged code does not.
resource "google_storage_bucket_object" "source" {
  for_each = local.functions

  bucket = google_storage_bucket.sources.name
  name   = "${each.key}/${filemd5("${local.repo_root}/build/${each.key}.zip")}.zip"
  source = "${local.repo_root}/build/${each.key}.zip"
}
