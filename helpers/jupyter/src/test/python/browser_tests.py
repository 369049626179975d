"""The notebook in a real browser: Debian's jupyter-notebook on loopback (a free port, a random token, temporary
dirs; the kernelspec of this build comes from JUPYTER_PATH) driven by headless Chromium through Selenium.
Screenshots and page sources of failures go to --artifacts."""
import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ARGS = None
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1000"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[-1].split()[0] != "Z"  # a zombie counts as dead
    except FileNotFoundError:
        return False
    return True


class Browser(unittest.TestCase):
    """One notebook server and one browser for the whole class; the tests run in name order."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="agentkernel-browser-")
        cls.notebooks = os.path.join(cls.tmp, "notebooks")
        os.makedirs(cls.notebooks)
        shutil.copy(os.path.join(ARGS.notebooks, "tour.ipynb"), cls.notebooks)
        cls.token = secrets.token_hex(16)
        cls.port = free_port()
        cls.server_log = open(os.path.join(cls.tmp, "notebook.log"), "w")
        cls.server = subprocess.Popen(
            ["/usr/bin/jupyter-notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1", "--port=%d" % cls.port,
             "--port-retries=0", "--NotebookApp.token=" + cls.token, "--notebook-dir=" + cls.notebooks],
            stdout=cls.server_log, stderr=subprocess.STDOUT, start_new_session=True)
        cls.base = "http://127.0.0.1:%d" % cls.port
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(cls.base + "/api/status?token=" + cls.token, timeout=2)
                break
            except Exception:
                if time.monotonic() > deadline or cls.server.poll() is not None:
                    raise AssertionError("jupyter-notebook did not start: " + open(cls.server_log.name).read())
                time.sleep(0.2)
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument("--user-data-dir=" + tempfile.mkdtemp(prefix="chromium-", dir=cls.tmp))
        cls.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        cls.driver.set_script_timeout(30)
        cls.driver.get(cls.base + "/notebooks/tour.ipynb?token=" + cls.token)
        cls.wait_for(lambda: cls.js("return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel "
                                    "&& Jupyter.notebook.kernel.is_connected() && Jupyter.notebook._fully_loaded)"),
                     90, "the notebook page and its kernel")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.driver.quit()
        finally:
            os.killpg(cls.server.pid, 15)
            try:
                cls.server.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(cls.server.pid, 9)
            cls.server_log.close()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def js(cls, script, *args):
        return cls.driver.execute_script(script, *args)

    @classmethod
    def wait_for(cls, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = condition()
                if value:
                    return value
            except Exception:
                pass
            time.sleep(0.2)
        raise AssertionError("timed out after %ds waiting for %s" % (timeout, what))

    def run(self, result=None):
        # keep a screenshot and the page of every failing test
        failures = len(result.failures) + len(result.errors) if result else 0
        super().run(result)
        if result and len(result.failures) + len(result.errors) > failures:
            os.makedirs(ARGS.artifacts, exist_ok=True)
            name = os.path.join(ARGS.artifacts, self.id().split(".")[-1])
            try:
                self.driver.save_screenshot(name + ".png")
                with open(name + ".html", "w") as f:
                    f.write(self.driver.page_source)
                print("browser artifacts of the failure: %s.png, %s.html" % (name, name))
            except Exception as e:
                print("could not save browser artifacts: %s" % e)

    # ---- helpers on the page -------------------------------------------------------------------------------

    def kernel_idle(self):
        return self.js("return Jupyter.notebook.kernel._msg_queue !== undefined "
                       "&& document.querySelector('#kernel_indicator_icon').classList.contains('kernel_idle_icon')")

    def add_cell(self, code):
        """A new code cell at the bottom; returns its index."""
        return self.js("var c = Jupyter.notebook.insert_cell_at_bottom('code'); c.set_text(arguments[0]);"
                       "return Jupyter.notebook.find_cell_index(c);", code)

    def execute(self, index):
        self.js("Jupyter.notebook.get_cell(arguments[0]).execute();", index)

    def done(self, index):
        return self.js("var c = Jupyter.notebook.get_cell(arguments[0]);"
                       "return c.input_prompt_number !== '*' && c.input_prompt_number !== null "
                       "&& c.input_prompt_number !== undefined;", index)

    def run_cell_and_wait(self, code, timeout=120):
        index = self.add_cell(code)
        self.execute(index)
        time.sleep(0.3)
        self.wait_for(lambda: self.done(index), timeout, "cell %d: %s" % (index, code))
        return index

    def output_text(self, index):
        return self.js("return Jupyter.notebook.get_cell(arguments[0]).element.find('.output_area').text();", index)

    def has_error(self, index):
        return self.js("return Jupyter.notebook.get_cell(arguments[0]).element.find('.output_error').length > 0;", index)

    def result_text(self, index):
        """The text of the cell's Out[] (execute_result), or None."""
        return self.js("var r = Jupyter.notebook.get_cell(arguments[0]).output_area.outputs"
                       ".filter(o => o.output_type === 'execute_result');"
                       "return r.length ? r[0].data['text/plain'] : null;", index)

    # ---- tests ---------------------------------------------------------------------------------------------

    def test_1_tour_run_all(self):
        self.driver.find_element(By.ID, "celllink").click()
        self.driver.find_element(By.CSS_SELECTOR, "#run_all_cells > a").click()
        count = self.js("return Jupyter.notebook.get_cells().length;")
        code = [i for i in range(count) if self.js("return Jupyter.notebook.get_cell(arguments[0]).cell_type;", i) == "code"]
        time.sleep(1)
        self.wait_for(lambda: all(self.done(i) for i in code), 300, "Run All of tour.ipynb")
        for i in code:
            self.assertFalse(self.has_error(i), "cell %d failed:\n%s" % (i, self.output_text(i)))
            self.assertIsInstance(self.js("return Jupyter.notebook.get_cell(arguments[0]).input_prompt_number;", i), int)
        texts = {i: self.output_text(i) for i in code}
        joined = "\n".join(texts.values())
        self.assertIn("Spawned: ", joined)
        self.assertIn("closed the kernel and stopped its agents", joined)
        # the ask cell: the answer renders as Markdown once, with no Out[] repeating it
        ask = [i for i in code if "String response = ask(" in
               self.js("return Jupyter.notebook.get_cell(arguments[0]).get_text();", i)][0]
        self.assertIn("Echo:", self.js("return Jupyter.notebook.get_cell(arguments[0]).element"
                                       ".find('.rendered_html').text();", ask))
        # tables: headers aligned like their cells, in the browser's computed style
        aligns = self.js("return Array.from(document.querySelectorAll('table.agentkernel th, table.agentkernel td'))"
                         ".map(e => getComputedStyle(e).textAlign);")
        self.assertTrue(aligns, "the tour shows tables")
        self.assertEqual(set(aligns), {"left"}, aligns)

    def test_2_agent_for_the_next_tests(self):
        index = self.run_cell_and_wait('useLlm("%s", "browser-key");\nvar k2 = localKernel();\n'
                                       'var slow = spawn(k2, "slow", openclaw("You are slow."));\n'
                                       'info(k2, slow).pid()' % ARGS.llm_url)
        self.assertFalse(self.has_error(index), self.output_text(index))
        type(self).agent_pid = int(self.result_text(index))
        self.assertTrue(alive(self.agent_pid))

    def test_3_a_slow_turn_grows_in_the_page(self):
        words = " ".join("word%d" % i for i in range(14))
        index = self.add_cell('ask(k2, slow, "[[slow: 400]] %s")' % words)
        self.execute(index)
        first = self.wait_for(lambda: self.output_text(index) if "word1" in self.output_text(index) else None,
                              30, "the first words of the slow turn")
        time.sleep(1.5)
        second = self.output_text(index)
        self.assertFalse(self.done(index), "the turn was still running at the second read")
        self.assertGreater(len(second), len(first), "the text grew between two reads: %r then %r" % (first, second))
        self.assertTrue(second.startswith(first.rstrip()[:10]), (first, second))
        self.wait_for(lambda: self.done(index), 60, "the slow turn to end")
        self.assertIn("word13", self.output_text(index))
        self.assertIsNone(self.result_text(index), "shown once: no Out[] after the streamed answer")

    def test_4_stop_button_ends_the_turn_and_the_next_ask_succeeds(self):
        index = self.add_cell('ask(k2, slow, "[[slow: 1500]] a b c d e f g h")')
        self.execute(index)
        time.sleep(2.0)
        self.assertFalse(self.done(index))
        self.driver.find_element(By.CSS_SELECTOR, "button[data-jupyter-action='jupyter-notebook:interrupt-kernel']").click()
        stopped = time.monotonic()
        self.wait_for(lambda: self.done(index), 30, "the interrupted cell to end")
        print("stop button -> cell ended: %.0f ms" % ((time.monotonic() - stopped) * 1000))
        self.assertIn("Interrupted", self.output_text(index))
        # the next ask must work; allow a few seconds for the cancelled turn to release the agent
        deadline = time.monotonic() + 8
        while True:
            after = self.run_cell_and_wait('ask(k2, slow, "after the stop")', timeout=60)
            if not self.has_error(after) or time.monotonic() > deadline:
                break
            time.sleep(1)
        self.assertFalse(self.has_error(after), self.output_text(after))
        self.assertIn("Echo: after the stop", self.output_text(after))

    def test_5_idle_then_status_says_live(self):
        time.sleep(ARGS.idle_seconds)
        index = self.run_cell_and_wait("status(k2).stream().allMatch(s -> s.live())")
        self.assertEqual(self.result_text(index), "true", self.output_text(index))

    def test_6_restart_kills_the_sessions_agents(self):
        self.assertTrue(alive(self.agent_pid))
        self.driver.find_element(By.ID, "kernellink").click()
        self.driver.find_element(By.CSS_SELECTOR, "#restart_kernel > a").click()
        button = self.wait_for(lambda: [b for b in self.driver.find_elements(By.CSS_SELECTOR, ".modal-footer button")
                                        if b.text.strip() == "Restart" and b.is_displayed()][0], 15, "the restart dialog")
        button.click()
        self.wait_for(lambda: not alive(self.agent_pid), 20, "agent %d to die after the restart" % self.agent_pid)
        self.wait_for(lambda: self.js("return Jupyter.notebook.kernel.is_connected();"), 60, "the restarted kernel")
        index = self.run_cell_and_wait("1 + 1")
        self.assertEqual(self.result_text(index), "2")


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebooks", required=True)
    parser.add_argument("--llm-url", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--idle-seconds", type=float, default=60)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()
