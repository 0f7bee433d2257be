provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAQX4HMZT2LBNC7RWE"
  secret_key = "q8Lr2vTz0Wc5Yh7Nk3Pb9Xs1Df6Gj4Mu8Ea2Ri0t"
}

resource "aws_s3_bucket" "data" {
  bucket = "example-data-bucket"
  acl    = "public-read"
}

resource "aws_security_group" "ssh" {
  name = "ssh-open"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_ebs_volume" "logs" {
  #checkov:skip=CKV_AWS_3:volume holds public build logs only
  availability_zone = "eu-west-1a"
  size              = 10
}
