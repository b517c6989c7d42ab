# The nightly report Job in namespace batch.
path "secret/data/batch/report" {
  capabilities = ["read"]
}
