// AgentKernel for Java: JShell start-up. Use it after JShell's DEFAULT start-up so its imports stay:
//   jshell --class-path <kernel+helpers jars> --startup DEFAULT --startup agentkernel.jsh
// or simply: bin/agentkernel jshell
import dev.agentkernel.*;
import dev.agentkernel.helpers.*;
import static dev.agentkernel.helpers.Helpers.*;
import dev.agentkernel.config.SandboxSettings;
import java.util.*;
import java.util.concurrent.*;
import java.nio.file.*;
// Last, and without the imports above (they fail when the class path or the JDK is wrong): say ready only if the
// helpers load, else one line with what to run instead.
{
    String agentKernelBanner;
    if (Runtime.version().feature() < 21) {
        agentKernelBanner = "AgentKernel for Java is NOT loaded: this jshell is JDK " + Runtime.version().feature()
                + " and AgentKernel needs JDK 21 or newer. Run bin/agentkernel jshell (it finds a JDK 21+), or a JDK 21+ jshell"
                + " --class-path <kernel and helpers jars> --startup DEFAULT --startup helpers/agentkernel.jsh";
    } else {
        try {
            agentKernelBanner = (String) Class.forName("dev.agentkernel.helpers.Helpers").getMethod("banner").invoke(null);
        } catch (Throwable e) {
            agentKernelBanner = "AgentKernel for Java is NOT loaded: its classes are not on this jshell's class path (" + e
                    + "). Run bin/agentkernel jshell, or jshell --class-path <kernel and helpers jars> --startup DEFAULT"
                    + " --startup helpers/agentkernel.jsh";
        }
    }
    System.out.println(agentKernelBanner);
}
