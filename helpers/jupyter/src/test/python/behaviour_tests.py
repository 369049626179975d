"""AgentKernel kernel behaviour through a real jupyter_client: streaming, errors, exit, <helpers>, interrupts,
display, and (when FAKE_LLM_URL is set) real agent turns against the scripted LLM server."""
import base64
import os
import time
import unittest

from jupyter_client.manager import start_new_kernel

from kernel_client import KERNEL_NAME, run_cell

FAKE_LLM_URL = os.environ.get("FAKE_LLM_URL", "")


class KernelBehaviour(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=False)

    def run_cell(self, code, **kw):
        return run_cell(self.km, self.kc, code, **kw)

    def assert_ok(self, run):
        self.assertEqual(run.status, "ok", run.describe())

    def assert_alive(self):
        self.assertTrue(self.km.is_alive(), "the kernel process died")
        run = self.run_cell("1 + 1")
        self.assert_ok(run)
        self.assertEqual(run.result_text(), "2", run.describe())

    # ---- streaming ----------------------------------------------------------------------------------------

    def test_print_streams_before_the_cell_ends(self):
        run = self.run_cell('System.out.println("first");\nThread.sleep(1000);\nSystem.out.println("second");')
        self.assert_ok(run)
        first = run.first("stream")
        self.assertIsNotNone(first, run.describe())
        first_at, content = first
        self.assertIn("first", content["text"])
        self.assertNotIn("second", content["text"], "the first line must not wait for the second")
        gap = run.reply_at - first_at
        print("streaming: first stream message %.0f ms after execute, execute_reply %.0f ms later"
              % (first_at * 1000, gap * 1000))
        self.assertGreater(gap, 0.8, run.describe())
        self.assertLess(first_at, 2.0, "first line arrived late: " + run.describe())
        self.assertEqual(run.stream_text(), "first\nsecond\n")

    def test_output_of_other_threads_of_the_cell_streams(self):
        run = self.run_cell('var t = new Thread(() -> { System.out.println("from a thread"); '
                            'System.err.println("err from a thread"); });\nt.start(); t.join();')
        self.assert_ok(run)
        self.assertIn("from a thread", run.stream_text("stdout"))
        self.assertIn("err from a thread", run.stream_text("stderr"))

    def test_print_without_newline_is_flushed(self):
        run = self.run_cell('System.out.print("no newline");\nThread.sleep(500);')
        self.assert_ok(run)
        first_at, content = run.first("stream")
        self.assertEqual(content["text"], "no newline")
        self.assertGreater(run.reply_at - first_at, 0.3, run.describe())

    # ---- errors -------------------------------------------------------------------------------------------

    def test_compile_error_names_line_and_column(self):
        run = self.run_cell("int a = 1;\nint b = nope + a;")
        self.assertEqual(run.status, "error")
        error = run.error()
        self.assertEqual(error["ename"], "CompileError")
        self.assertTrue(error["evalue"].startswith("line 2, column 9: cannot find symbol"), error)
        self.assertIn("int b = nope + a;", "\n".join(error["traceback"]))

    def test_exception_message_first_and_only_user_frames(self):
        run = self.run_cell('void check(int n) { if (n > 1) throw new IllegalArgumentException("bad input " + n); }')
        self.assert_ok(run)
        run = self.run_cell("int n = 2;\ncheck(n);")
        error = run.error()
        self.assertEqual(error["ename"], "IllegalArgumentException")
        self.assertEqual(error["traceback"][0], "java.lang.IllegalArgumentException: bad input 2")
        frames = error["traceback"][1:]
        self.assertTrue(any("at check" in f for f in frames), frames)
        self.assertTrue(any("at cell (line 2)" in f for f in frames), frames)
        self.assertFalse(any("jdk." in f or "java.base" in f or "reflect" in f for f in frames), frames)
        self.assertEqual(run.reply["content"]["ename"], "IllegalArgumentException")

    def test_system_exit_does_not_kill_the_kernel(self):
        run = self.run_cell("System.out.println(\"before\");\nSystem.exit(0);")
        self.assertEqual(run.status, "error")
        self.assertEqual(run.error()["ename"], "ExitRefused")
        self.assertIn("System.exit( on line 2", run.error()["evalue"])
        self.assertEqual(run.stream_text(), "", "nothing of the cell ran")
        self.assert_alive()

    def test_unclosed_helpers_tag(self):
        run = self.run_cell("I will compute.\n<helpers>\nint r = 1;")
        self.assertEqual(run.status, "error")
        self.assertIn("Unclosed <helpers> tag on line 2", run.error()["evalue"])

    def test_helpers_blocks_run_in_order_and_prose_is_ignored(self):
        cell = ("First I say one (this prose is not Java).\n<helpers>\nSystem.out.println(\"one\");\n</helpers>\n"
                "Then two; note: `<` and `}` in prose are fine.\n<helpers>\nSystem.out.println(\"two\");\n"
                "40 + 2\n</helpers>\nThe end.")
        run = self.run_cell(cell)
        self.assert_ok(run)
        self.assertEqual(run.stream_text(), "one\ntwo\n")
        self.assertEqual(run.result_text(), "42")

    # ---- display ------------------------------------------------------------------------------------------

    def test_markdown_display_is_updated_in_place(self):
        run = self.run_cell('var h = Display.current().markdown("**one**");\nh.update("**two**");')
        self.assert_ok(run)
        shown = run.outputs("display_data")
        updates = run.outputs("update_display_data")
        self.assertEqual(len(shown), 1, run.describe())
        self.assertEqual(len(updates), 1, run.describe())
        self.assertEqual(shown[0][1]["data"]["text/markdown"], "**one**")
        self.assertEqual(updates[0][1]["data"]["text/markdown"], "**two**")
        display_id = shown[0][1]["transient"]["display_id"]
        self.assertTrue(display_id)
        self.assertEqual(updates[0][1]["transient"]["display_id"], display_id)

    def test_display_print_and_html_keep_their_order(self):
        run = self.run_cell('Display.current().print("text first\\n");\n'
                            'Display.current().html("<i>then html</i>", "then html");\n'
                            'System.out.println("text last");')
        self.assert_ok(run)
        kinds = [kind for (_, kind, _) in run.events if kind in ("stream", "display_data")]
        self.assertEqual(kinds, ["stream", "display_data", "stream"], run.describe())
        self.assertEqual(run.outputs("display_data")[0][1]["data"]["text/html"], "<i>then html</i>")

    def test_display_api_sends_display_data_and_updates(self):
        run = self.run_cell('String id = display(markdown("**one**"));\nupdateDisplay(id, markdown("**two**"));\n'
                            'display("<b>bold</b>", "text/html");\n'
                            'display(image(new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_INT_RGB)));\n'
                            'id')
        self.assert_ok(run)
        shown = [c for (_, c) in run.outputs("display_data")]
        updates = [c for (_, c) in run.outputs("update_display_data")]
        self.assertEqual(len(shown), 3, run.describe())
        self.assertEqual(shown[0]["data"]["text/markdown"], "**one**")
        display_id = shown[0]["transient"]["display_id"]
        self.assertEqual(run.result_text(), '"%s"' % display_id, "display(...) returns its display id")
        self.assertEqual(len(updates), 1, run.describe())
        self.assertEqual(updates[0]["transient"]["display_id"], display_id)
        self.assertEqual(updates[0]["data"]["text/markdown"], "**two**")
        self.assertEqual(shown[1]["data"]["text/html"], "<b>bold</b>")
        png = base64.b64decode(shown[2]["data"]["image/png"])
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertIn("3x2", shown[2]["data"]["text/plain"])

    def test_markdown_html_and_image_values_render_as_the_result(self):
        run = self.run_cell('markdown("# Title")')
        self.assert_ok(run)
        data = run.outputs("execute_result")[0][1]["data"]
        self.assertEqual(data["text/markdown"], "# Title")
        self.assertEqual(data["text/plain"], "# Title")
        run = self.run_cell('html("<i>x</i>")')
        self.assertEqual(run.outputs("execute_result")[0][1]["data"]["text/html"], "<i>x</i>")

    def test_inspect_shows_the_helpers_javadoc(self):
        msg_id = self.kc.inspect("ask", 3)
        reply = self.kc.get_shell_msg(timeout=30)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        content = reply["content"]
        self.assertEqual(content["status"], "ok", content)
        self.assertTrue(content["found"], content)
        self.assertIn("Sends {@code message} and returns the agent's full text", content["data"]["text/plain"])

    def test_compile_error_has_no_empty_location_line(self):
        run = self.run_cell("int c = missingName + 1;")
        lines = "\n".join(run.error()["traceback"]).splitlines()
        self.assertIn("symbol:   variable missingName", "\n".join(lines))
        self.assertFalse([l for l in lines if l.strip() == "location: class"], lines)

    @unittest.skipUnless(os.environ.get("AGENTKERNEL_MAVEN_REPO"), "no temporary Maven repository given")
    def test_maven_magic_adds_a_dependency_for_the_next_cell(self):
        run = self.run_cell("%maven org.apache.commons:commons-text:1.12.0", timeout=240)
        self.assert_ok(run)
        self.assertIn("commons-text-1.12.0.jar", run.stream_text(), run.describe())
        run = self.run_cell('org.apache.commons.text.WordUtils.initials("Ada Lovelace")')
        self.assert_ok(run)
        self.assertEqual(run.result_text(), '"AL"')

    # ---- interrupts ---------------------------------------------------------------------------------------

    def test_interrupt_busy_loop(self):
        run = self.run_cell("long spins = 0;\nSystem.out.println(\"spinning\");\nwhile (true) { spins++; }",
                            interrupt_after=0.5, after_output=True, timeout=60)
        self.assertEqual(run.status, "error", run.describe())
        self.assertEqual(run.error()["ename"], "Interrupted")
        self.assertIsNotNone(run.interrupted_at, run.describe())
        latency = run.reply_at - run.interrupted_at
        print("interrupt: busy loop returned %.0f ms after interrupt_request" % (latency * 1000))
        self.assertLess(latency, 2.0)
        self.assert_alive()
        self.assertEqual(self.run_cell("spins > 0").result_text(), "true", "the session kept its variables")

    def test_interrupt_sleep(self):
        run = self.run_cell("Thread.sleep(60_000);", interrupt_after=1.0, timeout=30)
        self.assertEqual(run.error()["ename"], "Interrupted", run.describe())
        self.assertLess(run.reply_at - run.interrupted_at, 2.0)
        self.assert_alive()

    def test_stdin_reads_end_of_input_instead_of_hanging(self):
        run = self.run_cell("new java.util.Scanner(System.in).hasNextLine()", timeout=10)
        self.assert_ok(run)
        self.assertEqual(run.result_text(), "false")

    def test_zz_restart_gives_a_fresh_working_session(self):
        self.assert_ok(self.run_cell("int beforeRestart = 7;"))
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=60)
        run = self.run_cell("beforeRestart")
        self.assertEqual(run.error()["ename"], "CompileError", "a restart starts a new session: " + run.describe())
        self.assert_alive()


@unittest.skipUnless(FAKE_LLM_URL, "FAKE_LLM_URL is not set: no scripted LLM server to run agent turns against")
class AgentTurns(unittest.TestCase):
    """Real agents (runner processes) spawned from cells, talking to the scripted LLM server."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60)
        setup = ('useLlm("%s", "test-key");\nvar kernel = localKernel();\n'
                 'var agent = spawn(kernel, "streamer", openclaw("You are terse."));\n'
                 'long agentPid = info(kernel, agent).pid();\nagentPid') % FAKE_LLM_URL
        run = run_cell(cls.km, cls.kc, setup, timeout=90)
        if run.status != "ok":
            cls.tearDownClass()
            raise AssertionError("could not spawn an agent from a cell:\n" + run.describe())
        cls.agent_pid = int(run.result_text())

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        if cls.km.is_alive():
            cls.km.shutdown_kernel(now=False)

    def test_1_agent_turn_streams_into_the_cell(self):
        run = run_cell(self.km, self.kc, 'ask(kernel, agent, "[[slow: 200]] alpha beta gamma delta epsilon zeta")',
                       timeout=60)
        self.assertEqual(run.status, "ok", run.describe())
        first = run.first("stream", "display_data")
        self.assertIsNotNone(first, run.describe())
        gap = run.reply_at - first[0]
        print("agent streaming: first output %.0f ms after execute, execute_reply %.0f ms later"
              % (first[0] * 1000, gap * 1000))
        self.assertGreater(gap, 0.5, "the turn's first chunk must show before the turn ends: " + run.describe())
        self.assertIsNone(run.result_text(), "the answer was streamed into the cell; no Out[] repeats it: "
                          + run.describe())
        final = [c for (_, kind, c) in run.events if kind in ("display_data", "update_display_data")][-1]
        self.assertIn("zeta", final["data"]["text/markdown"])
        self.assertEqual(run_cell(self.km, self.kc, 'String kept = ask(kernel, agent, "kept");', timeout=60).status, "ok")
        stored = run_cell(self.km, self.kc, 'kept', timeout=60)
        self.assertEqual(stored.result_text(), '"Echo: kept"', "in a later cell the answer is shown when asked for")

    def test_1b_helper_values_render_as_html(self):
        for code in ("info(kernel, agent)", "status(kernel)"):
            run = run_cell(self.km, self.kc, code, timeout=60)
            self.assertEqual(run.status, "ok", run.describe())
            results = run.outputs("execute_result")
            self.assertEqual(len(results), 1, run.describe())
            data = results[0][1]["data"]
            self.assertIn("text/html", data, "Rendering.html(value) must be used: " + run.describe())
            self.assertIn("streamer", data["text/html"])
            self.assertIn("text/plain", data)

    def test_2_interrupt_cancels_a_slow_turn(self):
        run = run_cell(self.km, self.kc, 'ask(kernel, agent, "[[slow: 1500]] one two three four five six seven")',
                       timeout=60, interrupt_after=1.0)
        self.assertEqual(run.status, "error", run.describe())
        self.assertIsNotNone(run.interrupted_at, "the turn ended before it could be interrupted: " + run.describe())
        latency = run.reply_at - run.interrupted_at
        print("interrupt: slow turn returned %.0f ms after interrupt_request (%s)"
              % (latency * 1000, run.error()["ename"]))
        self.assertEqual(run.error()["ename"], "Interrupted", run.describe())
        self.assertLess(latency, 3.0)
        after = run_cell(self.km, self.kc, "1 + 1")
        self.assertEqual(after.result_text(), "2")

    def test_3_shutdown_kills_the_sessions_agents(self):
        os.kill(self.agent_pid, 0)  # alive before
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(self.agent_pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        self.fail("agent process %d still runs after the kernel shut down" % self.agent_pid)


if __name__ == "__main__":
    unittest.main(verbosity=2)
