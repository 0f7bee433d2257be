# A deliberately insecure Terraform file: test input for the SARIF collector (never apply it).
resource "aws_s3_bucket" "data" {
  #checkov:skip=CKV_AWS_18:access logging is done by the proxy
  bucket = "readiness-test-data"
  acl    = "public-read"
}

resource "aws_security_group" "open" {
  name = "open"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
