"""What vidflow shows a machine: Terraform-shaped JSON (`--json`)."""
