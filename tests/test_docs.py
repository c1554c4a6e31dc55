"""The README's tour runs as written, and every relative link in the docs leads somewhere.

The tour's commands are the lines that start with "$ " in the code blocks of README.md's
"A ten-minute tour": each is run with bash in a fresh directory in which build/parbench is the
binary under test (PARBENCH_BINARY), and must exit with 0, or with the status its comment names
("# exit status 1"). What they print is not compared: the figures are this machine's.
"""
import os
import re
import subprocess
import tempfile
import unittest

SOURCE = os.environ.get("PARBENCH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), ".."))
BINARY = os.environ.get("PARBENCH_BINARY", "")


def read(path):
    with open(os.path.join(SOURCE, path), encoding="utf-8") as f:
        return f.read()


def tour_commands(readme):
    """The "$ " lines of the code blocks between the tour's heading and the next heading."""
    match = re.search(r"^## A ten-minute tour\n(.*?)(?=^## )", readme, re.S | re.M)
    if not match:
        return []
    commands = []
    for block in re.findall(r"^```\n(.*?)^```", match.group(1), re.S | re.M):
        for line in block.splitlines():
            if line.startswith("$ "):
                status = re.search(r"#\s*exit status (\d+)", line)
                commands.append((line[2:], int(status.group(1)) if status else 0))
    return commands


class Tour(unittest.TestCase):
    def test_the_tour_has_commands(self):
        commands = tour_commands(read("README.md"))
        self.assertGreaterEqual(len(commands), 5, "the tour's commands were not found")
        for command, _ in commands:
            self.assertTrue(command.startswith("build/parbench "), command)

    def test_every_command_runs_as_written(self):
        if not BINARY:
            self.skipTest("PARBENCH_BINARY is not set (CTest sets it)")
        with tempfile.TemporaryDirectory(prefix="parbench-tour.") as d:
            os.makedirs(os.path.join(d, "build"))
            os.makedirs(os.path.join(d, "reports", "results"))
            os.symlink(BINARY, os.path.join(d, "build", "parbench"))
            for command, expected in tour_commands(read("README.md")):
                with self.subTest(command=command):
                    done = subprocess.run(["bash", "-c", command], cwd=d, capture_output=True,
                                          text=True, timeout=300, check=False)
                    self.assertEqual(done.returncode, expected,
                                     f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
            # The report the tour writes is there and whole.
            with open(os.path.join(d, "reports", "results", "tour.report.html"), encoding="utf-8") as f:
                self.assertIn("</html>", f.read())

    def test_tour_commands_are_read_with_their_status(self):
        readme = ("## A ten-minute tour\n```\n$ build/parbench a\nout\n$ build/parbench b  "
                  "# exit status 1\n```\n## Next\n```\n$ build/parbench c\n```\n")
        self.assertEqual(tour_commands(readme), [("build/parbench a", 0),
                                                 ("build/parbench b  # exit status 1", 1)])


class Links(unittest.TestCase):
    def test_relative_links_resolve(self):
        pages = ["README.md", "ARCHITECTURE.md", "reports/README.md"]
        pages += ["docs/" + p for p in sorted(os.listdir(os.path.join(SOURCE, "docs")))
                  if p.endswith(".md")]
        broken = []
        for page in pages:
            for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", read(page)):
                if re.match(r"[a-z]+:", target):
                    continue
                path = os.path.normpath(os.path.join(SOURCE, os.path.dirname(page), target))
                if not os.path.exists(path):
                    broken.append(f"{page}: {target}")
        self.assertEqual(broken, [])

    def test_readme_links_every_docs_page(self):
        readme = read("README.md")
        for page in sorted(os.listdir(os.path.join(SOURCE, "docs"))):
            if page.endswith(".md"):
                self.assertIn(f"(docs/{page})", readme)

    def test_readme_stays_short(self):
        self.assertLessEqual(len(read("README.md").encode()), 12 * 1024)


if __name__ == "__main__":
    unittest.main()
