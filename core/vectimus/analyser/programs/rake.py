"""rake: the Rakefile (``-f``, ``-C``, else the nearest ``Rakefile``) is Ruby code that runs as
it loads, its tasks' ``sh`` lines among it, and ``-e`` code.
Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.programs.tasks import runner_file

RAKEFILES = ("rakefile", "Rakefile", "rakefile.rb", "Rakefile.rb")


def rake(an: Analysis, cmd: Cmd) -> None:
    """rake: the Rakefile (``-f``, ``-C``, else the nearest) is Ruby code that runs as it loads, its
    tasks' ``sh`` lines among it; analysed whole, as a module's uncalled functions are."""
    p = argv.parse(cmd.words[1:], argv.opts("-f --rakefile -C --directory -I --libdir -r --require -e --execute "
                                            "-E --execute-continue -p --execute-print -R --rakelibdir"))
    found = runner_file(an, cmd, p, ("C", "directory"), ("f", "rakefile"), RAKEFILES)
    if found is not None:
        runs.run_file(an, found[0], Word(found[1]), runner="ruby")
    for code in p.all("e", "execute", "E", "execute-continue", "p", "execute-print"):
        an.code("ruby", code, cmd, "rake -e")
