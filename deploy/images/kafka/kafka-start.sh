#!/bin/sh
# One KRaft node (broker and controller): formats /var/lib/kafka on first start, then runs kafka.Kafka in the
# foreground. KAFKA_SERVER_PROPERTIES, when set, is the whole configuration (the container stack passes a secure one
# with SCRAM, PLAIN and ACLs: dev.mnistpipeline.stack.containers.ContainerInfrastructure); otherwise a plaintext node
# advertising KAFKA_ADVERTISED_LISTENERS.
set -eu
data=/var/lib/kafka
mkdir -p "$data/logs"
umask 077
if [ -n "${KAFKA_SERVER_PROPERTIES:-}" ]; then
  printf '%s\n' "$KAFKA_SERVER_PROPERTIES" > "$data/server.properties"
else
: "${KAFKA_ADVERTISED_LISTENERS:?set KAFKA_ADVERTISED_LISTENERS (e.g. INTERNAL://kafka:19092,EXTERNAL://127.0.0.1:9092) or KAFKA_SERVER_PROPERTIES}"
cat > "$data/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
controller.listener.names=CONTROLLER
listeners=INTERNAL://0.0.0.0:19092,EXTERNAL://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=${KAFKA_ADVERTISED_LISTENERS}
listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
log.dirs=$data/logs
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=${KAFKA_AUTO_CREATE_TOPICS:-false}
PROPERTIES
fi
cp=/opt/kafka/libs/*
if [ ! -f "$data/logs/meta.properties" ]; then
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp "$cp" kafka.tools.StorageTool format --ignore-formatted \
    -t "${KAFKA_CLUSTER_ID:-MkU3OEVBNTcwNTJENDM2Qk}" -c "$data/server.properties"
fi
# shellcheck disable=SC2086
exec java $JAVA_OPTS -cp "$cp" kafka.Kafka "$data/server.properties"
