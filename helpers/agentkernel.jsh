// AgentKernel for Java: JShell start-up. Use it after JShell's DEFAULT start-up so its imports stay:
//   jshell --class-path <kernel+helpers jars> --startup DEFAULT --startup agentkernel.jsh
import dev.agentkernel.*;
import dev.agentkernel.helpers.*;
import static dev.agentkernel.helpers.Helpers.*;
import dev.agentkernel.config.SandboxSettings;
import java.util.*;
import java.util.concurrent.*;
import java.nio.file.*;
System.out.println("AgentKernel for Java ready: var kernel = localKernel(); var r = spawn(kernel, \"researcher\", openclaw(\"You are a researcher.\")); ask(kernel, r, \"hi\")");
