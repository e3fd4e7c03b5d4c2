package dev.mnistpipeline.stack;

import dev.mnistpipeline.common.access.ServiceAccess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The embedded broker's users and ACLs, made from {@link ServiceAccess} as deploy/'s KafkaUsers are: a SCRAM user
 * per principal, allowed exactly its topics and consumer groups. Applying it again (a restart) changes nothing but
 * the passwords.
 */
public final class KafkaAccessControl {
    private static final int SCRAM_ITERATIONS = 4096;

    private KafkaAccessControl() {
    }

    /** Creates or updates the SCRAM user of every principal in {@code passwords}, and their ACLs. */
    public static void apply(Admin admin, Map<String, String> passwords) throws InterruptedException {
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        List<AclBinding> acls = new ArrayList<>();
        passwords.forEach((principal, password) -> {
            users.add(new UserScramCredentialUpsertion(principal,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password));
            acls.addAll(acls(ServiceAccess.of(principal)));
        });
        try {
            admin.alterUserScramCredentials(users).all().get();
            admin.createAcls(acls).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot set up Kafka users and ACLs: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The ACLs of one principal: read its topics and groups, write its topics (with DESCRIBE, which clients need). */
    public static List<AclBinding> acls(ServiceAccess access) {
        List<AclBinding> acls = new ArrayList<>();
        String user = "User:" + access.principal();
        for (String topic : access.readTopics()) {
            acls.add(allow(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
            acls.add(allow(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE));
        }
        for (String topic : access.writeTopics()) {
            acls.add(allow(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
            acls.add(allow(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE));
        }
        if (access.hasConsumerGroup()) {
            acls.add(allow(user, ResourceType.GROUP, access.principal(), PatternType.LITERAL, AclOperation.READ));
        }
        if (!access.groupPrefix().isEmpty()) {
            acls.add(allow(user, ResourceType.GROUP, access.groupPrefix(), PatternType.PREFIXED, AclOperation.READ));
        }
        return acls.stream().distinct().toList();
    }

    private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(user, "*", operation, AclPermissionType.ALLOW));
    }
}
