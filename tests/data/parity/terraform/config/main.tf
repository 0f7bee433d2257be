terraform {
  required_version = ">= 1.5"
}

variable "environment" {
  type = string
}

variable "replicas" {
  type = number
}

variable "image" {
  type = string
}

variable "db_password" {
  type      = string
  sensitive = true
}

locals {
  settings = {
    log_level = var.environment == "production" ? "warn" : "debug"
    replicas  = var.replicas
  }
}

resource "terraform_data" "app" {
  input = {
    environment    = var.environment
    image          = var.image
    replica_count  = var.replicas
    engine_version = "15.4"
    log_level      = local.settings.log_level
  }
}

resource "terraform_data" "db" {
  input = {
    instance_class = var.environment == "production" ? "db.r6g.large" : "db.t4g.small"
    password       = var.db_password
  }
}

module "worker" {
  source   = "./worker"
  replicas = var.replicas
}

output "app_id" {
  value = terraform_data.app.id
}

output "settings" {
  value = local.settings
}

output "db_password" {
  value     = var.db_password
  sensitive = true
}
