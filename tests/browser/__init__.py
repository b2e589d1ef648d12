"""Browser tests: the lessons in JupyterLab, driven by Playwright (make test-browser)."""
