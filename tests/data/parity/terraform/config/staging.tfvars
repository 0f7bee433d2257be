environment = "staging"
replicas    = 1
image       = "registry.example/cart@sha256:2222222222222222222222222222222222222222222222222222222222222222"
db_password = "CANARY-staging-s3cr3t-9b1c"
