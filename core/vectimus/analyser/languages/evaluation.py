"""What every code evaluator shares: frames and closures, user functions inlined where they are
called (bounded) or evaluated once with unknown arguments, branches whose names merge into
alternatives, loops whose names may hold a later iteration's value, and the CPU and depth limits.

A language's evaluator subclasses ``Evaluation`` and provides ``block`` (run statements),
``bind`` (parameters to values) and ``run_body`` (a function's body).
Standard library only: used on the hot path.
"""

from __future__ import annotations

import time

from vectimus.analyser.context import Analysis, Unanalysable
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.effects import Effects
from vectimus.analyser.languages.values import OBJ, UNKNOWN, Val

MAX_EVAL_DEPTH = 100     # nested expressions and statements evaluated
MAX_INLINE_DEPTH = 8     # user function calls inlined inside each other
MAX_INLINES = 256        # user function calls inlined in one module
MAX_INLINES_EACH = 32    # … of one function
CHECK_EVERY = 2048       # nodes between CPU-time checks (a power of two: reading the clock is a syscall)
CHECK_MASK = CHECK_EVERY - 1
USER_CALLABLES = ("func", "bound", "class")  # the objects ``call_user`` calls


class Function:
    """A user function or lambda: its node, the scope it closes over, how often it was inlined.

    ``referenced``: also called where it was not inlined, so evaluated once on its own: its
    parameters are placeholders, or unknown (``overflowed``) when a call not inlined passed values.
    """

    __slots__ = ("node", "closure", "inlined", "referenced", "overflowed", "generic", "defaults",
                 "kw_defaults", "klass")

    def __init__(self, node, closure: dict | None, defaults=(), kw_defaults=(), klass=None) -> None:
        self.node = node
        self.closure = closure
        self.inlined = 0
        self.referenced = False
        self.overflowed = False  # called with values it was not evaluated with: its parameters are unknown
        self.generic = 0         # evaluated without a caller: 1 with placeholders, 2 with unknowns
        self.defaults = defaults
        self.kw_defaults = kw_defaults
        self.klass = klass


class Klass:
    """A user class: its methods and class attributes."""

    __slots__ = ("name", "attrs")

    def __init__(self, name: str, attrs: dict) -> None:
        self.name = name
        self.attrs = attrs


class Frame:
    """One function activation: its local names and what it returned."""

    __slots__ = ("env", "closure", "globals_", "returns", "function")

    def __init__(self, env: dict, closure: dict | None, function: Function | None) -> None:
        self.env = env
        self.closure = closure
        self.globals_: set[str] = set()
        self.returns: list[Val] = []
        self.function = function


class Evaluation:
    """The language-neutral half of an evaluator."""

    lang = "code"

    def __init__(self, an: Analysis, fx: Effects) -> None:
        self.an = an
        self.fx = fx
        self.globals: dict[str, Val] = {}
        self.frame = Frame(self.globals, None, None)
        self.functions: list[Function] = []
        self.stack: list[Function] = []
        self.inlines = 0
        self.generic = 0                   # functions being evaluated with unknown arguments
        self.depth = 0
        self.count = 0
        self.scope = fx.cmd.scope.child()  # a chdir in the code changes where relative paths resolve
        fx.cmd = fx.cmd._replace(scope=self.scope)

    # -- the language's part ----------------------------------------------------------------------

    def block(self, body) -> None:
        raise NotImplementedError

    def bind(self, fn: Function, self_val: Val | None, args: list[Val], kwargs: dict[str, Val],
             generic: bool) -> dict:
        raise NotImplementedError

    def run_body(self, fn: Function) -> bool:
        """Evaluate ``fn``'s body in the current frame; True when it is a generator."""
        raise NotImplementedError

    # -- driving ------------------------------------------------------------------------------

    def finish(self) -> None:
        """Evaluate the functions nothing here called: a framework, a callback or an importer may."""
        for _ in range(2):  # again for those a later call overflowed
            done = 0
            while done < len(self.functions):
                fn = self.functions[done]
                done += 1
                wanted = 2 if fn.overflowed else 1
                if (fn.inlined == 0 or fn.referenced) and fn.generic < wanted:
                    fn.generic = wanted
                    self.invoke(fn, None, [], {}, generic=True)

    def tick(self) -> None:
        """Account for CHECK_EVERY nodes evaluated."""
        self.an.tick(CHECK_EVERY)
        if time.thread_time() > self.an.parse_deadline:
            raise Unanalysable(f"{self.lang} code too complex to analyse within the CPU budget")

    def enter(self) -> bool:
        """Count one node and go a level deeper (``depth`` is the caller's to decrement); False,
        and the code marked incomplete, past the nesting the evaluator follows."""
        self.count += 1
        if not self.count & CHECK_MASK:
            self.tick()
        self.depth += 1
        if self.depth > MAX_EVAL_DEPTH:
            self.fx.give_up("nested too deeply to analyse")
            return False
        return True

    # -- control flow ---------------------------------------------------------------------------

    def branches(self, bodies) -> None:
        """Run each of ``bodies`` from the same state; afterwards a name may hold any of their values."""
        env = self.frame.env
        before = dict(env)
        outcomes = []
        changed = False  # env holds what it held before, until a body runs
        for body in bodies:
            if not body:  # nothing runs: the names hold what they held
                outcomes.append(before)
                continue
            if changed:
                env.clear()
                env.update(before)
            changed = True
            self.block(body)
            outcomes.append(dict(env))
        self.merge_into(outcomes)

    def narrowed_branches(self, narrowed: dict, bodies) -> None:
        """Run an ``if``'s two ``bodies``: the first with the names its test narrows (``narrowing``),
        the second as they were; afterwards a name may hold either's value."""
        env = self.frame.env
        before = dict(env)
        env.update(narrowed)
        self.block(bodies[0])
        after = dict(env)
        env.clear()
        env.update(before)
        self.block(bodies[1])
        self.merge_into([after, dict(env)])

    def merge_into(self, outcomes: list[dict]) -> None:
        env = self.frame.env
        env.clear()
        first_outcome, others = outcomes[0], outcomes[1:]
        for o in others:  # (a loop, not all() over a generator: this runs for every branch)
            if o != first_outcome:
                break
        else:  # no path rebound a name (common): Vals compare by identity
            env.update(first_outcome)
            return
        for name in set().union(*outcomes):
            first = first_outcome.get(name)
            if first is not None:
                for o in others:
                    if o.get(name) is not first:
                        break
                else:  # the same value on every path
                    env[name] = first
                    continue
            env[name] = V.alts([v for v in (o.get(name) for o in outcomes) if v is not None])

    def loop_entry(self, names) -> None:
        """A loop body may run again: a name it assigns may hold, on entry, a later iteration's value."""
        env = self.frame.env
        for name in names:
            old = env.get(name)
            if old is not None and (old.kind != OBJ or old.value[0] not in ("func", "class")):
                env[name] = V.alts([old, V.unknown(f"{name} from a later iteration", V.taint_of(old))])

    # -- names ----------------------------------------------------------------------------------

    def assign_name(self, name: str, value: Val) -> None:
        if name in self.frame.globals_:
            self.globals[name] = value
        else:
            self.frame.env[name] = value

    def name(self, name: str) -> Val:
        """What ``name`` holds here (the language's own names when the code binds none)."""
        raise NotImplementedError

    def free_name(self, name: str) -> Val:
        """``name`` where its frame does not bind it: a module-level name read in a function that
        closes over nothing is read directly (the common case), else through ``name``."""
        if self.frame.closure is None and name in self.globals:
            return self.globals[name]
        return self.name(name)

    def lookup(self, name: str) -> Val | None:
        frame = self.frame
        if name in frame.env:
            return frame.env[name]
        closure = frame.closure
        while closure is not None:
            if name in closure:
                return closure[name]
            closure = closure.get("\0closure")  # enclosing scopes chain through this key
        return self.globals.get(name)

    def closure(self) -> dict | None:
        """The scope a function defined here closes over (None at module level)."""
        frame = self.frame
        if frame.env is self.globals:
            return None
        closure = dict(frame.env) if frame.closure is None else {**frame.env, "\0closure": frame.closure}
        return closure

    # -- user functions ---------------------------------------------------------------------------

    def invoke(self, fn: Function, self_val: Val | None, args: list[Val], kwargs: dict[str, Val],
               generic: bool = False) -> Val:
        """Run a user function's body with these arguments; what it returns."""
        if not generic:
            if (fn in self.stack or len(self.stack) >= MAX_INLINE_DEPTH or self.inlines >= MAX_INLINES
                    or fn.inlined >= MAX_INLINES_EACH
                    or (self.generic and all(a.kind == UNKNOWN for a in [*args, *kwargs.values()]))):
                # Not inlined here: its body is evaluated on its own, with unknown arguments if
                # these are more than the placeholders of a function evaluated without a caller.
                fn.referenced = True
                if not all(V.is_placeholder(a) for a in [*args, *kwargs.values()]):
                    fn.overflowed = True
                return V.unknown("a call's result", V.taint_of(*args, *kwargs.values()))
            self.inlines += 1
            fn.inlined += 1
        else:
            self.generic += 1
        env = self.bind(fn, self_val, args, kwargs, generic)
        outer = self.frame
        self.frame = Frame(env, fn.closure, fn)
        self.stack.append(fn)
        saved_depth = self.depth
        try:
            generator = self.run_body(fn)
            returns = self.frame.returns
        finally:
            self.stack.pop()
            self.frame = outer
            self.depth = saved_depth
            if generic:
                self.generic -= 1
        if generator:
            return V.unknown("a generator", V.taint_of(*returns), item=V.alts(returns) if returns else None)
        return V.alts(returns) if returns else V.NONE

    def user_attribute(self, owner: Val, name: str, this: str) -> Val | None:
        """``owner.name`` for an instance or a class the code defined (a method bound to its
        instance); None when ``owner`` is neither or does not hold ``name``. ``this`` is the
        language's name for the instance (``self``, ``this``)."""
        if owner.kind != OBJ:
            return None
        kind, data = owner.value
        if kind == "inst":
            if name in data["attrs"]:
                return data["attrs"][name]
            found = data["class"].attrs.get(name)
            if found is not None:
                if found.kind == OBJ and found.value[0] == "func":
                    return V.obj("bound", (found.value[1], owner))
                return found
            if data.get("generic"):  # an instance a caller elsewhere set up
                return V.placeholder(f"{this}.{name}")
        elif kind == "class":
            return data.attrs.get(name)
        return None

    def call_user(self, func: Val, args: list[Val], kwargs: dict[str, Val]) -> Val | None:
        """Call a user function, bound method or class; None when ``func`` is none of them."""
        for option in V.options(func):
            if option.kind != OBJ:
                continue
            kind, data = option.value
            if kind == "func":
                return self.invoke(data, None, args, kwargs)
            if kind == "bound":
                return self.invoke(data[0], data[1], args, kwargs)
            if kind == "class":
                instance = V.obj("inst", {"class": data, "attrs": {}})
                init = data.attrs.get("__init__") or data.attrs.get("constructor")
                if init is not None and init.kind == OBJ and init.value[0] == "func":
                    self.invoke(init.value[1], instance, args, kwargs)
                return instance
        return None
