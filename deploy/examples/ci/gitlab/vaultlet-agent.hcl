# GitLab CI: log in with the job's `id_tokens` token (jwt auth, mount
# auth/gitlab, role checkout-deploy), render the deploy settings once, exit.
# Paths are relative to the job's working directory. VAULT_ADDR comes from the
# environment. The role only accepts protected main of shop/checkout
# (../../vault/roles.sh), so a branch pipeline fails here, before any secret.
exit_after_auth = true

# A CI job needs no ops endpoint (/ready, /metrics): open none.
vaultlet {
  listen = ""
}

auto_auth {
  method "jwt" {
    mount_path  = "auth/gitlab"
    exit_on_err = true

    config = {
      path = ".vaultlet/id-token"
      role = "checkout-deploy"
    }
  }
}

template {
  destination = ".vaultlet/deploy.env"
  perms       = "0600"
  contents    = <<-EOT
    {{- with secret "secret/data/ci/checkout-deploy" -}}
    REGISTRY_USER={{ .Data.data.registry_user }}
    REGISTRY_PASSWORD={{ .Data.data.registry_password }}
    {{- end }}
    EOT
  error_on_missing_key = true
}
