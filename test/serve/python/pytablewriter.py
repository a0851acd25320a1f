"""Stand-in for the `pytablewriter` package, for the lm-eval runs of test/serve/lm-eval.test.ts only.

lm-eval's CLI imports pytablewriter just to print its results table, after it has written the
results and samples files; the local pip mirror does not carry it, so without this the CLI ends
with ModuleNotFoundError. The test puts this folder on PYTHONPATH. It writes a plain Markdown
table; it is not the real package and nothing else uses it.
"""


class MarkdownTableWriter:
    def __init__(self):
        self.headers = []
        self.value_matrix = []

    def dumps(self):
        rows = [self.headers, ["---"] * len(self.headers)] + [[str(v) for v in row] for row in self.value_matrix]
        return "\n".join("|" + "|".join(str(cell) for cell in row) + "|" for row in rows)


class LatexTableWriter(MarkdownTableWriter):
    pass
