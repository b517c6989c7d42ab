# The checkout service in namespace shop: its own KV secret and its own
# database role, nothing else.
path "secret/data/shop/checkout" {
  capabilities = ["read"]
}

path "database/creds/checkout" {
  capabilities = ["read"]
}
