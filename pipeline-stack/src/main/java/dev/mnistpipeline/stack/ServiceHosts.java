package dev.mnistpipeline.stack;

import java.util.List;

/** Where each service instance of a {@link PipelineStack} runs: how it is started there, and the address it answers on. */
public interface ServiceHosts {
    /** Everything on this machine, listening on loopback only. */
    ServiceHosts LOCAL = new ServiceHosts() {
        @Override
        public List<String> command(String instance, List<String> command) {
            return command;
        }

        @Override
        public String address(String instance) {
            return PipelineStack.DEFAULT_BIND;
        }
    };

    /** {@code command} as it starts {@code instance} on its host. */
    List<String> command(String instance, List<String> command);

    /** The address {@code instance} listens on, and is reached at. */
    String address(String instance);
}
