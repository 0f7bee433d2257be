variable "replicas" {
  type = number
}

resource "terraform_data" "worker" {
  count = var.replicas > 1 ? 2 : 1
  input = {
    queue        = "jobs"
    worker_count = var.replicas
  }
}
