variable "name" {
  type    = string
  default = "demo"
}

output "greeting" {
  value = "hello ${var.name}"
}

resource "null_resource" "noop" {
  triggers = {
    name = var.name
  }
}
