#!/usr/bin/env python3
"""The layers of pkg/ hold: a module includes only its own headers and those
of the modules it depends on (CMakeLists.txt, KDR_MODULE_DEPS_*, followed
transitively), never another module's private <module>_internal.h, and no
header by a relative path. The libraries link in that order, but every module
compiles with pkg/ on its include path, so only this check keeps the walk of a
topic from YAML to CreateTopics going down the layers without climbing back.
The README's layout table lists every module below the ones it depends on.

Runs on no backend (it reads the tree); it first proves it can fail, on a
small tree with one violation of each kind."""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'\s*#\s*include\s+"([^"]+)"')
DEPS = re.compile(r'set\(KDR_MODULE_DEPS_(\w+)\s+"?([\w ]*)"?\)')


def module_deps(cmake_text):
    return {m: v.split() for m, v in DEPS.findall(cmake_text)}


def closure(deps, module):
    seen, todo = set(), list(deps.get(module, []))
    while todo:
        d = todo.pop()
        if d not in seen:
            seen.add(d)
            todo.extend(deps.get(d, []))
    return seen


def violations(root):
    with open(os.path.join(root, "CMakeLists.txt")) as f:
        deps = module_deps(f.read())
    found = []
    for module in sorted(deps):
        allowed = closure(deps, module) | {module}
        folder = os.path.join(root, "pkg", module)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            with open(os.path.join(folder, name)) as f:
                for line_no, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    path = m.group(1)
                    where = f"pkg/{module}/{name}:{line_no}"
                    if path.startswith(".") or "/." in path:
                        found.append(f"{where}: includes {path} by a relative path")
                        continue
                    if "/" not in path:
                        continue  # the module's own header
                    target, header = path.split("/", 1)
                    if target not in deps:
                        continue  # not a module of pkg/ (none today)
                    if target not in allowed:
                        found.append(f"{where}: includes {path}, but {module} does not depend on {target}")
                    elif target != module and header.endswith("_internal.h"):
                        found.append(f"{where}: includes {path}, {target}'s private header")
    return found, deps


def readme_order(root, deps):
    """What is wrong with the README's layout table: a module missing, or listed above one it depends on."""
    with open(os.path.join(root, "README.md")) as f:
        text = f.read()
    start = text.find("## Layout")
    section = text[start:text.find("\n## ", start + 1)] if start >= 0 else ""
    order = re.findall(r"^\| `pkg/(\w+)`", section, re.M)
    found = [f"README.md layout: pkg/{m} is not listed" for m in sorted(set(deps) - set(order))]
    for m in order:
        for d in deps.get(m, []):
            if d in order and order.index(d) > order.index(m):
                found.append(f"README.md layout: pkg/{m} is listed above pkg/{d}, which it depends on")
    return found


def self_test():
    """The check reports each kind of violation on a tree that has them, and nothing on a clean one."""
    with tempfile.TemporaryDirectory() as root:
        with open(os.path.join(root, "CMakeLists.txt"), "w") as f:
            f.write('set(KDR_MODULE_DEPS_util "")\nset(KDR_MODULE_DEPS_model util)\nset(KDR_MODULE_DEPS_plan model)\n')
        files = {
            "pkg/util/util.h": "",
            "pkg/model/model.c": '#include "util/util.h"\n#include "plan/plan.h"\n',
            "pkg/plan/plan.c": '#include "util/util.h"\n#include "model/model_internal.h"\n#include "../model/x.h"\n',
        }
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(text)
        found, _ = violations(root)
        expected = [
            "pkg/model/model.c:2: includes plan/plan.h, but model does not depend on plan",
            "pkg/plan/plan.c:2: includes model/model_internal.h, model's private header",
            "pkg/plan/plan.c:3: includes ../model/x.h by a relative path",
        ]
        if found != expected:
            print("FAILED self-test: the check reported", found, "instead of", expected)
            return False
        with open(os.path.join(root, "pkg/model/model.c"), "w") as f:
            f.write('#include "util/util.h"\n')
        with open(os.path.join(root, "pkg/plan/plan.c"), "w") as f:
            f.write('#include "model/model.h"\n#include "util/util.h"\n')
        found, _ = violations(root)
        if found:
            print("FAILED self-test: a clean tree reported", found)
            return False
    return True


def main():
    root = os.environ.get("KDR_SOURCE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    passed = failed = 0
    if self_test():
        passed += 1
        print("ok   the check reports a layer climbed, a private header and a relative include (self-test)")
    else:
        failed += 1
    found, deps = violations(root)
    found += readme_order(root, deps)
    if found:
        failed += 1
        for v in found:
            print("FAILED", v)
    else:
        passed += 1
        print(f"ok   {len(deps)} modules of pkg/ include only what they depend on, listed in that order in the README")
    print(f"module_layers (no backend: reads the source tree): {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
