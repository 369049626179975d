package dev.agentkernel.jupyter;

import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.messages.reply.KernelInfoReply;

import java.util.List;

/**
 * {@code kernel_info_reply} with the {@code status} field the messaging spec requires (the basekernel's
 * reply omits it, and strict clients such as jupyter_kernel_test reject the reply without it).
 */
final class KernelInfo extends KernelInfoReply {
    static final String PROTOCOL_VERSION = "5.3";

    @SuppressWarnings("unused") // serialised by the basekernel's Gson
    private final String status = "ok";

    KernelInfo(String implementationVersion, LanguageInfo language, String banner, List<LanguageInfo.Help> help) {
        super(PROTOCOL_VERSION, AgentKernelJupyter.KERNEL_NAME, implementationVersion, language, banner, help);
    }
}
