# A slice of the lab account, applied with Terraform's AWS provider against
# the sandbox to show the provider works unchanged: it signs, reads back and
# plans no drift.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" { type = string }

provider "aws" {
  region                  = "us-east-1"
  access_key              = "AKIAIRDRILLBOOTSTRAP"
  secret_key              = "irdrill-bootstrap-secret"
  skip_metadata_api_check = true
  endpoints {
    iam            = var.endpoint
    sts            = var.endpoint
    ec2            = var.endpoint
    cloudwatchlogs = var.endpoint
    cloudtrail     = var.endpoint
  }
}

resource "aws_iam_user" "integration" {
  name = "tf-integration"
}

resource "aws_iam_user_policy" "deny_all" {
  name   = "DenyAll"
  user   = aws_iam_user.integration.name
  policy = jsonencode({ Statement = [{ Effect = "Deny", Action = "*", Resource = "*" }] })
}

resource "aws_iam_role" "analyst" {
  name = "tf-SecurityAnalystRole"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::999999999999:root" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "analyst_read_only" {
  role       = aws_iam_role.analyst.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "tf-irdrill/cloudtrail"
  retention_in_days = 90
}

data "aws_ami" "amzn2" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["amzn2-ami-hvm-2.0.????????.?-x86_64-gp2"]
  }
}

resource "aws_instance" "decoy" {
  ami           = data.aws_ami.amzn2.id
  instance_type = "t2.nano"
  tags          = { Name = "tf-decoy" }
}

output "ami" { value = data.aws_ami.amzn2.id }
