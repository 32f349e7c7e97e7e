"""Subcommand-style tools (``git``, ``kubectl``, ``aws`` …): the global options that may come before
the subcommand and take a value, so the subcommand is found after them.

Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser import argv

SUBCOMMAND_TOOLS = {name: argv.opts(spec) for name, spec in {
    "git": "-C -c --git-dir --work-tree --namespace --exec-path --config-env --super-prefix",
    "kubectl": "-n --namespace --context --kubeconfig -s --server --cluster --user --token --as "
               "--as-group --request-timeout -v --certificate-authority --client-certificate "
               "--client-key --cache-dir -l --selector -o --output",
    "oc": "-n --namespace --context --kubeconfig -s --server --cluster --user --token",
    "docker": "-H --host --context -c --config -l --log-level --tlscacert --tlscert --tlskey",
    "podman": "--url --connection -c --root --runroot --log-level --storage-driver",
    "nerdctl": "-n --namespace -H --address", "docker-compose": "-f --file -p --project-name",
    "helm": "-n --namespace --kube-context --kubeconfig --kube-apiserver --kube-token "
            "--registry-config --repository-config --repository-cache",
    "terraform": "", "tofu": "", "terragrunt": "", "pulumi": "-C --cwd -s --stack",
    "npm": "--prefix -C --dir --cwd -w --workspace --registry", "pnpm": "-C --dir --filter -w",
    "yarn": "--cwd", "bun": "--cwd", "npx": "-p --package", "pip": "--python --cache-dir --log --proxy",
    "pip3": "--python --cache-dir --log --proxy", "uv": "--directory --project --python -p --cache-dir",
    "poetry": "-C --directory", "pipx": "", "cargo": "-C --config -Z --manifest-path --color",
    "go": "-C", "gem": "", "conda": "-n --name -p --prefix", "brew": "", "apt": "-o -t -c",
    "apt-get": "-o -t -c", "dnf": "-c --config", "yum": "-c --config",
    "aws": "--profile --region --output --endpoint-url --query --cli-read-timeout "
           "--cli-connect-timeout --ca-bundle --color",
    "gcloud": "--project --account --configuration --verbosity --format "
              "--impersonate-service-account --billing-project --flags-file",
    "gsutil": "-o -h -u", "az": "--subscription -o --output --query",
    "systemctl": "-H --host -M --machine -t --type -p --property --state -n --lines -o --output "
                 "-s --signal --kill-whom --root --job-mode",
    "launchctl": "", "service": "", "vectimus": "", "gh": "-R --repo", "glab": "-R --repo",
    "heroku": "-a --app", "flyctl": "-a --app", "fly": "-a --app", "vercel": "--token --scope",
    "netlify": "", "firebase": "--project -P", "make": "-C --directory -f --file -j --jobs",
    "redis-cli": "-h -p -a -n -u", "dotnet": "", "mvn": "-f --file -P -D", "gradle": "",
    "svn": "", "hg": "-R --repository --cwd", "jj": "-R --repository", "supabase": "--workdir",
    "wrangler": "-c --config -e --env", "ollama": "", "llm": "", "claude": "", "codex": "",
    "cursor-agent": "", "gemini": "",
}.items()}
