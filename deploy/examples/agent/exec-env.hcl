# Exec mode, for CI jobs and VMs: the agent logs in, renders each env_template
# into an environment variable and runs the command with them. Nothing is
# written to disk. In a long-running service, the command is restarted (or,
# with the vaultlet extension change_signal, signalled) when a value changes;
# the agent exits with the command's exit code when it ends.
# Here: GitLab CI's database migrations get a short-lived database login
# (deploy/examples/ci/gitlab/.gitlab-ci.yml, job migrate).
auto_auth {
  method "jwt" {
    mount_path  = "auth/gitlab"
    exit_on_err = true

    config = {
      path = ".vaultlet/id-token"
      role = "checkout-deploy"
    }
  }
}

env_template "DB_USER" {
  contents             = "{{ with secret \"database/creds/checkout\" }}{{ .Data.username }}{{ end }}"
  error_on_missing_key = true
}

env_template "DB_PASSWORD" {
  contents             = "{{ with secret \"database/creds/checkout\" }}{{ .Data.password }}{{ end }}"
  error_on_missing_key = true
}

exec {
  command                   = ["npm", "run", "migrate"]
  restart_on_secret_changes = "always"
  restart_stop_signal       = "SIGTERM"
  # vaultlet extension: wait 10s after SIGTERM before SIGKILL
  restart_kill_grace = "10s"
}

# vaultlet extension: no ops endpoint in a CI job
vaultlet {
  listen = ""
}
