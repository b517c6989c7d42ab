# The same Vault / OpenBao set-up as ../mounts.sh, ../trust.sh, ../roles.sh and
# ../database.sh, with the hashicorp/vault provider (it works with OpenBao too).
# VAULT_ADDR and VAULT_TOKEN come from the environment.
terraform {
  required_providers {
    vault = {
      source  = "hashicorp/vault"
      version = "~> 4.0"
    }
  }
}

provider "vault" {}

variable "kubernetes_host" {
  type        = string
  description = "API server URL as Vault reaches it"
}

variable "kubernetes_ca_cert" {
  type        = string
  description = "cluster CA certificate, PEM"
}

variable "kubernetes_reviewer_jwt" {
  type        = string
  sensitive   = true
  description = "token of a service account bound to system:auth-delegator, for TokenReview"
}

variable "kubernetes_issuer" {
  type        = string
  description = "the cluster's service-account token issuer"
}

variable "gitlab_url" {
  type    = string
  default = "https://gitlab.com"
}

variable "vault_audience" {
  type        = string
  default     = "https://vault.example.com"
  description = "audience the CI jobs request for their OIDC tokens"
}

variable "pg_host" {
  type = string
}

variable "pg_admin_user" {
  type = string
}

variable "pg_admin_password" {
  type      = string
  sensitive = true
}

# ---- secrets engines ----

resource "vault_mount" "secret" {
  path    = "secret"
  type    = "kv"
  options = { version = "2" }
}

resource "vault_mount" "database" {
  path = "database"
  type = "database"
}

resource "vault_database_secret_backend_connection" "checkout" {
  backend       = vault_mount.database.path
  name          = "checkout-db"
  allowed_roles = ["checkout"]

  postgresql {
    connection_url = "postgresql://{{username}}:{{password}}@${var.pg_host}:5432/shop?sslmode=verify-full"
    username       = var.pg_admin_user
    password       = var.pg_admin_password
  }
}

resource "vault_database_secret_backend_role" "checkout" {
  backend     = vault_mount.database.path
  name        = "checkout"
  db_name     = vault_database_secret_backend_connection.checkout.name
  default_ttl = 900
  max_ttl     = 3600
  creation_statements = [
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
    "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO \"{{name}}\";",
  ]
}

# ---- policies ----

resource "vault_policy" "checkout" {
  name   = "checkout"
  policy = file("${path.module}/../policies/checkout.hcl")
}

resource "vault_policy" "report" {
  name   = "report"
  policy = file("${path.module}/../policies/report.hcl")
}

resource "vault_policy" "ci_deploy" {
  name   = "ci-deploy"
  policy = file("${path.module}/../policies/ci-deploy.hcl")
}

# ---- pods: kubernetes auth ----

resource "vault_auth_backend" "kubernetes" {
  type = "kubernetes"
  path = "kubernetes"
}

# The agents' tokens are for audience "vault", so Vault reviews them with a
# reviewer token of its own (a service account bound to system:auth-delegator).
resource "vault_kubernetes_auth_backend_config" "kubernetes" {
  backend            = vault_auth_backend.kubernetes.path
  kubernetes_host    = var.kubernetes_host
  kubernetes_ca_cert = var.kubernetes_ca_cert
  token_reviewer_jwt = var.kubernetes_reviewer_jwt
}

resource "vault_kubernetes_auth_backend_role" "report" {
  backend                          = vault_auth_backend.kubernetes.path
  role_name                        = "report"
  bound_service_account_names      = ["report"]
  bound_service_account_namespaces = ["batch"]
  audience                         = "vault"
  token_policies                   = [vault_policy.report.name]
  token_ttl                        = 600
  token_max_ttl                    = 1800
}

# ---- pods: jwt auth with the cluster's published keys ----

resource "vault_jwt_auth_backend" "kubernetes_jwt" {
  path               = "kubernetes-jwt"
  type               = "jwt"
  oidc_discovery_url = var.kubernetes_issuer
  bound_issuer       = var.kubernetes_issuer
}

resource "vault_jwt_auth_backend_role" "checkout" {
  backend         = vault_jwt_auth_backend.kubernetes_jwt.path
  role_name       = "checkout"
  role_type       = "jwt"
  user_claim      = "sub"
  bound_audiences = ["vault"]
  bound_subject   = "system:serviceaccount:shop:checkout"
  token_policies  = [vault_policy.checkout.name]
  token_ttl       = 900
  token_max_ttl   = 3600
}

# ---- CI: GitLab id_tokens ----

resource "vault_jwt_auth_backend" "gitlab" {
  path               = "gitlab"
  type               = "jwt"
  oidc_discovery_url = var.gitlab_url
  bound_issuer       = var.gitlab_url
}

resource "vault_jwt_auth_backend_role" "gitlab_checkout_deploy" {
  backend           = vault_jwt_auth_backend.gitlab.path
  role_name         = "checkout-deploy"
  role_type         = "jwt"
  user_claim        = "sub"
  bound_audiences   = [var.vault_audience]
  bound_claims_type = "string"
  bound_claims = {
    project_path  = "shop/checkout"
    ref           = "main"
    ref_type      = "branch"
    ref_protected = "true"
  }
  token_policies = [vault_policy.ci_deploy.name]
  token_ttl      = 600
  token_max_ttl  = 900
}

# ---- CI: GitHub Actions OIDC ----

resource "vault_jwt_auth_backend" "github" {
  path               = "github"
  type               = "jwt"
  oidc_discovery_url = "https://token.actions.githubusercontent.com"
  bound_issuer       = "https://token.actions.githubusercontent.com"
}

resource "vault_jwt_auth_backend_role" "github_checkout_deploy" {
  backend           = vault_jwt_auth_backend.github.path
  role_name         = "checkout-deploy"
  role_type         = "jwt"
  user_claim        = "sub"
  bound_audiences   = [var.vault_audience]
  bound_subject     = "repo:shop-org/checkout:environment:production"
  bound_claims_type = "string"
  bound_claims = {
    repository  = "shop-org/checkout"
    ref         = "refs/heads/main"
    environment = "production"
  }
  token_policies = [vault_policy.ci_deploy.name]
  token_ttl      = 600
  token_max_ttl  = 900
}
