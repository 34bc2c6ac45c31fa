#!/usr/bin/env python3
"""Every `import X` of a package module must be among the importing target's dependencies
(directly or through them). An undeclared import builds in a warm tree, where X happens to be
built already, and fails in a clean clone: this finds it in a second, without a clean build.

Usage: check-imports.py PACKAGE_JSON   (the output of `swift package dump-package`)
"""
import glob
import json
import re
import sys

IMPORT = re.compile(r"\s*(?:@testable\s+|@_spi\(\w+\)\s+)?(?:public\s+|package\s+|internal\s+)?import\s+(\w+)")


def main(path):
    package = json.load(open(path))
    dependencies, roots = {}, {}
    for target in package["targets"]:
        names = []
        for dependency in target["dependencies"]:
            for kind in ("byName", "target"):
                if kind in dependency:
                    names.append(dependency[kind][0])
        dependencies[target["name"]] = names
        default = ("Tests/" if target["type"] == "test" else "Sources/") + target["name"]
        roots[target["name"]] = target.get("path") or default

    def reachable(name):
        seen, stack = set(), list(dependencies[name])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(dependencies.get(current, []))
        return seen

    problems = []
    for name in sorted(roots):
        allowed = reachable(name) | {name}
        for file in sorted(glob.glob(roots[name] + "/**/*.swift", recursive=True)):
            for number, line in enumerate(open(file, encoding="utf-8"), 1):
                match = IMPORT.match(line)
                if match and match.group(1) in dependencies and match.group(1) not in allowed:
                    problems.append(f"{file}:{number}: target {name} imports {match.group(1)}, "
                                    f"which is not among its dependencies in Package.swift")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
