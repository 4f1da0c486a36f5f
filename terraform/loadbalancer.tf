# Public routing: a global external Application Load Balancer with one
# serverless NEG per HTTP function and a URL map on the public paths.
#
# Why not API Gateway: with backend auth it replaces the Authorization header
# (the caller's Firebase ID token moves to X-Forwarded-Authorization), needs a
# Swagger 2.0 copy of the routes kept in sync by hand, and has no Cloud Armor.
# The load balancer forwards requests untouched (functions route on the full
# /api/... path, as in the local gateway), serves our own domain with a managed
# certificate, and takes a Cloud Armor policy for per-client rate limits.

resource "google_compute_global_address" "api" {
  project = var.project_id
  name    = "${var.name_prefix}-api-ip"

  depends_on = [google_project_service.apis]
}

resource "google_compute_region_network_endpoint_group" "api" {
  for_each = local.http_functions

  project               = var.project_id
  name                  = "${local.resource_names[each.key]}-neg"
  region                = var.region
  network_endpoint_type = "SERVERLESS"

  # A gen2 function is a Cloud Run service of the same name.
  cloud_run {
    service = reverse(split("/", google_cloudfunctions2_function.fn[each.key].service_config[0].service))[0]
  }
}

resource "google_compute_security_policy" "api" {
  count = var.rate_limit.requests > 0 ? 1 : 0

  project     = var.project_id
  name        = "${var.name_prefix}-api-policy"
  description = "Per-client-IP throttle in front of the Aksio API."

  rule {
    action   = "throttle"
    priority = 1000
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.rate_limit.requests
        interval_sec = var.rate_limit.interval_sec
      }
    }
    description = "Throttle each client IP"
  }

  rule {
    action   = "allow"
    priority = 2147483647
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    description = "Default allow"
  }
}

resource "google_compute_backend_service" "api" {
  for_each = local.http_functions

  project               = var.project_id
  name                  = "${local.resource_names[each.key]}-backend"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"
  security_policy       = try(google_compute_security_policy.api[0].id, null)

  backend {
    group = google_compute_region_network_endpoint_group.api[each.key].id
  }

  log_config {
    enable      = true
    sample_rate = 1.0
  }
}

resource "google_compute_url_map" "api" {
  project = var.project_id
  name    = "${var.name_prefix}-api"
  # Anything unmatched goes to accounts, which answers a JSON 404.
  default_service = try(google_compute_backend_service.api["accounts"].id, null)

  host_rule {
    hosts        = [var.api_domain]
    path_matcher = "api"
  }

  path_matcher {
    name            = "api"
    default_service = try(google_compute_backend_service.api["accounts"].id, null)

    dynamic "path_rule" {
      for_each = local.http_functions
      content {
        paths   = path_rule.value.routes
        service = google_compute_backend_service.api[path_rule.key].id
      }
    }
  }

  lifecycle {
    precondition {
      condition     = contains(keys(local.http_functions), "accounts")
      error_message = "The accounts function (functions/accounts/main.py) must exist: it serves health, the OpenAPI document and unmatched paths."
    }
  }
}

resource "google_compute_managed_ssl_certificate" "api" {
  project = var.project_id
  name    = "${var.name_prefix}-api-cert"

  managed {
    domains = [var.api_domain]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_target_https_proxy" "api" {
  project          = var.project_id
  name             = "${var.name_prefix}-api-https"
  url_map          = google_compute_url_map.api.id
  ssl_certificates = [google_compute_managed_ssl_certificate.api.id]
}

resource "google_compute_global_forwarding_rule" "https" {
  project               = var.project_id
  name                  = "${var.name_prefix}-api-https"
  target                = google_compute_target_https_proxy.api.id
  ip_address            = google_compute_global_address.api.id
  port_range            = "443"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}

# Plain HTTP only redirects to HTTPS.
resource "google_compute_url_map" "http_redirect" {
  project = var.project_id
  name    = "${var.name_prefix}-api-http-redirect"

  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }
}

resource "google_compute_target_http_proxy" "http_redirect" {
  project = var.project_id
  name    = "${var.name_prefix}-api-http"
  url_map = google_compute_url_map.http_redirect.id
}

resource "google_compute_global_forwarding_rule" "http" {
  project               = var.project_id
  name                  = "${var.name_prefix}-api-http"
  target                = google_compute_target_http_proxy.http_redirect.id
  ip_address            = google_compute_global_address.api.id
  port_range            = "80"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}
