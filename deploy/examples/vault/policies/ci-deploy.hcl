# Production deploys of the checkout project from GitLab CI or GitHub Actions:
# the registry login and a short-lived database login for the migrations.
path "secret/data/ci/checkout-deploy" {
  capabilities = ["read"]
}

path "database/creds/checkout" {
  capabilities = ["read"]
}
