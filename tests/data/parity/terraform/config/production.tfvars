environment = "production"
replicas    = 3
image       = "registry.example/cart@sha256:1111111111111111111111111111111111111111111111111111111111111111"
db_password = "CANARY-prod-s3cr3t-7f3a"
