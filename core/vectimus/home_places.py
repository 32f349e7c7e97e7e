"""Places with a meaning of their own in a home directory and on the system: where code starts
at login or on a schedule (persistence), and what only caches downloads and builds (a cache's
owner fills it again: removing it loses nothing). Entries are lower-cased, relative to the home
unless absolute; an entry "dir/" covers everything below it.

Standard library only: used on the hot path.
"""

PERSISTENCE_HOME = (".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zshenv",
                    ".zprofile", ".zlogin", ".config/fish/", ".ssh/authorized_keys",
                    ".config/autostart/", ".config/systemd/user/", "library/launchagents/",
                    ".xprofile", ".xinitrc", ".gitconfig", ".config/git/config")
PERSISTENCE_ABSOLUTE = ("/etc/profile", "/etc/bash.bashrc", "/etc/zsh/", "/etc/cron", "/etc/crontab",
                        "/var/spool/cron/", "/etc/systemd/", "/etc/init.d/", "/etc/rc.local",
                        "/library/launchagents/", "/library/launchdaemons/", "/etc/sudoers",
                        "/etc/ld.so.preload",
                        # Windows registry keys that start programs (PowerShell and reg.exe paths)
                        *(f"/registry/{hive}/software/{wow}microsoft/windows/currentversion/{key}"
                          for hive in ("hkcu", "hklm") for wow in ("", "wow6432node/")
                          for key in ("run", "policies/explorer/run")),
                        "/registry/hklm/software/microsoft/windows nt/currentversion/winlogon",
                        "/registry/hkcu/software/microsoft/windows nt/currentversion/winlogon",
                        "/registry/hklm/software/microsoft/windows nt/currentversion/image file execution options",
                        "/registry/hkcu/environment")
# Caches in the home directory: package managers' download and build caches, XDG's cache directory.
CACHE_HOME = (".cache/", ".npm/_cacache/", ".npm/_npx/", ".npm/_logs/", "library/caches/", ".gradle/caches/",
              ".m2/repository/", ".cargo/registry/", ".cargo/git/", "go/pkg/mod/", ".pnpm-store/",
              ".local/share/pnpm/store/", ".yarn/berry/cache/", ".bun/install/cache/", ".nuget/packages/",
              ".ivy2/cache/", ".composer/cache/", ".node-gyp/", ".electron-gyp/", ".cpanm/")
