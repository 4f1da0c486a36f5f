variable "project_id" {
  description = "GCP project (also the Firebase project) that runs Aksio."
  type        = string
}

variable "region" {
  description = "Region of the functions, the queue, the uploads bucket and the Eventarc trigger."
  type        = string
  default     = "europe-west1"
}

variable "firestore_location" {
  description = "Firestore location (a region such as europe-west1 or a multi-region such as eur3). Cannot change after creation."
  type        = string
  default     = "eur3"
}

variable "api_domain" {
  description = "Public host name of the API (e.g. api.aksio.app). Its DNS A/AAAA records must point at the output api_ip_address for the managed certificate to provision."
  type        = string
}

variable "cors_origins" {
  description = "Browser origins allowed to call the API and to upload to the uploads bucket with signed URLs."
  type        = list(string)
  default     = ["https://aksio.app"]
}

variable "firebase_web_api_key" {
  description = "Firebase Web API key used by accounts for the Auth REST API (sign-in, refresh). Public by design, so not a secret."
  type        = string

  validation {
    condition     = length(var.firebase_web_api_key) > 0
    error_message = "accounts cannot sign users in without the Firebase Web API key."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name (functions, service accounts, buckets, LB parts)."
  type        = string
  default     = "aksio"
}

variable "source_dir" {
  description = "Repository root relative to this directory: functions/<name>/ decides what is deployed, build/<name>.zip is what is uploaded (built by `nox -s package`)."
  type        = string
  default     = ".."
}

variable "log_level" {
  type    = string
  default = "INFO"
}

# One entry per function. Only those whose functions/<name>/main.py exists are
# deployed (see locals.tf), so functions that land later need no edit here.
variable "functions" {
  description = "Per-function deployment settings, keyed by the function's directory name (which is also its Python entry point)."
  type = map(object({
    # http: public API behind the load balancer; event: Storage-finalized CloudEvent;
    # task: Cloud Tasks target (private, OIDC); webhook: public, authenticated in code (Stripe signature).
    kind            = string
    routes          = optional(list(string), [])
    memory          = optional(string, "512Mi")
    cpu             = optional(string)
    timeout_seconds = optional(number, 60)
    min_instances   = optional(number, 0)
    max_instances   = optional(number, 20)
    concurrency     = optional(number, 1)
    uses_storage    = optional(bool, false) # object admin on the uploads bucket
    enqueues_tasks  = optional(bool, false) # Cloud Tasks enqueuer + actAs the tasks invoker
    signs_urls      = optional(bool, false) # signs upload URLs via IAM signBlob as itself
    firebase_auth   = optional(string, "none")
    secrets         = optional(list(string), []) # keys of var.secrets
    env             = optional(map(string), {})
  }))

  default = {
    accounts = {
      kind = "http"
      # Health and the OpenAPI document are served by every HTTP function; the
      # load balancer sends them to accounts.
      routes        = ["/api/v1/accounts", "/api/v1/accounts/*", "/api/health", "/api/health/*", "/api/openapi.json"]
      uses_storage  = true    # account deletion removes the user's uploads
      firebase_auth = "admin" # sign-up, profile updates, account deletion
    }
    task_worker = {
      kind            = "task"
      memory          = "1Gi"
      timeout_seconds = 540
      max_instances   = 10
      uses_storage    = true
      enqueues_tasks  = true               # jobs chain follow-up jobs
      firebase_auth   = "admin"            # the account-deletion job removes the Auth user
      secrets         = ["openai_api_key"] # generation jobs call the language model
      env             = { AKSIO_RETRIEVER = "vector", AKSIO_LANGUAGE_MODEL = "openai" }
    }
    # Coming next; each deploys as soon as its functions/<name>/main.py exists.
    courses = {
      kind           = "http"
      routes         = ["/api/v1/courses", "/api/v1/courses/*"]
      uses_storage   = true
      enqueues_tasks = true
      signs_urls     = false # upload URLs are resumable sessions opened with our own credentials
      firebase_auth  = "viewer"
      secrets        = ["openai_api_key"] # query embeddings for vector search
      env            = { AKSIO_RETRIEVER = "vector" }
    }
    learning = {
      kind           = "http"
      routes         = ["/api/v1/learning", "/api/v1/learning/*"]
      enqueues_tasks = true
      firebase_auth  = "viewer"
    }
    assessments = {
      kind           = "http"
      routes         = ["/api/v1/assessments", "/api/v1/assessments/*"]
      enqueues_tasks = true
      firebase_auth  = "viewer"
      secrets        = ["openai_api_key"]
    }
    chat = {
      kind            = "http"
      routes          = ["/api/v1/chat", "/api/v1/chat/*"]
      timeout_seconds = 300 # model calls can be slow
      firebase_auth   = "viewer"
      secrets         = ["openai_api_key"]
    }
    billing = {
      kind          = "http"
      routes        = ["/api/v1/billing", "/api/v1/billing/*"]
      firebase_auth = "viewer"
      secrets       = ["stripe_api_key"]
    }
    document_uploaded = {
      kind            = "event"
      memory          = "2Gi" # PDF text extraction
      timeout_seconds = 540   # the maximum for event functions
      max_instances   = 10
      uses_storage    = true
      enqueues_tasks  = true
      secrets         = ["openai_api_key"] # passage embeddings
      env             = { AKSIO_RETRIEVER = "vector" }
    }
    stripe_webhook = {
      kind    = "webhook"
      secrets = ["stripe_api_key", "stripe_webhook_secret"]
    }
  }

  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["http", "event", "task", "webhook"], f.kind)])
    error_message = "Each function's kind must be http, event, task or webhook."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["none", "viewer", "admin"], f.firebase_auth)])
    error_message = "firebase_auth must be none, viewer or admin."
  }
  validation {
    # Cloud Functions only allows concurrency > 1 with at least one full vCPU.
    condition     = alltrue([for f in values(var.functions) : f.concurrency == 1 || try(tonumber(f.cpu) >= 1, false)])
    error_message = "concurrency > 1 needs cpu >= 1."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : f.kind == "event" ? f.timeout_seconds <= 540 : f.timeout_seconds <= 3600])
    error_message = "Event functions time out after at most 540 s, HTTP ones after at most 3600 s."
  }
}

# Secrets are created empty by Terraform; values are added out of band
# (`gcloud secrets versions add`) so they never enter the Terraform state.
variable "secrets" {
  description = "Secret key -> Secret Manager secret id. A function lists keys; it sees the value as AKSIO_<KEY upper-cased>."
  type        = map(string)
  default = {
    openai_api_key        = "aksio-openai-api-key"
    stripe_api_key        = "aksio-stripe-api-key"
    stripe_webhook_secret = "aksio-stripe-webhook-secret"
  }
}

variable "secrets_with_versions" {
  description = "Secret keys that already have a version. Only these are mounted: a function that references a secret with no version fails to deploy."
  type        = set(string)
  default     = []
}

variable "tasks_queue" {
  description = "Cloud Tasks queue settings. Retries back off from min to max, doubling max_doublings times, then linearly."
  type = object({
    name                      = optional(string, "aksio-jobs")
    max_attempts              = optional(number, 8)
    max_retry_duration        = optional(string, "3600s")
    min_backoff               = optional(string, "5s")
    max_backoff               = optional(string, "600s")
    max_doublings             = optional(number, 5)
    max_dispatches_per_second = optional(number, 20)
    max_concurrent_dispatches = optional(number, 50)
  })
  default = {}
}

variable "uploads" {
  description = "Uploads bucket settings."
  type = object({
    incomplete_multipart_age_days = optional(number, 1)
    cors_max_age_seconds          = optional(number, 3600)
    force_destroy                 = optional(bool, false)
  })
  default = {}
}

variable "rate_limit" {
  description = "Cloud Armor per-client-IP throttle in front of the API (OWASP API4: unrestricted resource consumption). requests = 0 disables it."
  type = object({
    requests     = optional(number, 600)
    interval_sec = optional(number, 60)
  })
  default = {}
}
