/**
 * A NAT instance: the private subnets' egress through one small Graviton EC2 instance instead of
 * a NAT gateway (`bbws:natGateways: instance`, the dev default).
 *
 * Why: a NAT gateway bills $0.057/h in af-south-1 (~$42/month) plus $0.057/GB, more than a whole
 * dev environment should cost; a t4g.nano forwards a few dev sites' image pulls, API calls and
 * updates for ~$4/month plus its disk.
 * What it gives up (docs/architecture.md, "Egress"): one instance in one AZ, so an instance or AZ
 * failure stops egress (image pulls, Secrets Manager, SES, WordPress.org) until EC2 auto-recovery
 * or a `pulumi up` replaces it; burstable bandwidth (up to 5 Gbit/s); its OS is ours to patch
 * (security updates install themselves daily; no SSH key, no open management port).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, withComponent } from "../tags";

/** Amazon Linux 2023 for arm64, resolved by EC2 at launch from AWS's public SSM parameter. */
export const NAT_INSTANCE_AMI =
  "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
/** Root volume size in GiB (the AL2023 AMI's own size). */
export const NAT_INSTANCE_DISK_GB = 8;

export interface NatInstanceArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  /** The public subnet the instance lives in (the first AZ's). */
  readonly publicSubnetId: pulumi.Input<string>;
  /** Private subnets whose default route goes through the instance. */
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** How many private subnets there are (one per AZ); routes are created per subnet. */
  readonly privateSubnetCount: number;
  readonly instanceType: string;
  /** TCP ports forwarded to the internet: what the tasks' security group may send there. */
  readonly forwardedPorts: readonly number[];
  readonly tags: Tags;
}

export interface NatInstance {
  readonly instance: aws.ec2.Instance;
  readonly routes: aws.ec2.Route[];
}

/**
 * Boot script: forward and masquerade the VPC's traffic, keep the rules across reboots, install
 * security updates daily. Kept as data so tests read exactly what the instance runs.
 */
export function natInstanceUserData(vpcCidr: string): string {
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    "dnf install -y iptables-services dnf-automatic",
    "echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-bbws-nat.conf",
    "sysctl --system",
    "uplink=\"$(ip route show default | awk '{print $5; exit}')\"",
    "iptables -F FORWARD",
    "iptables -P FORWARD DROP",
    `iptables -A FORWARD -s ${vpcCidr} -o "$uplink" -j ACCEPT`,
    `iptables -A FORWARD -d ${vpcCidr} -m state --state ESTABLISHED,RELATED -j ACCEPT`,
    `iptables -t nat -A POSTROUTING -s ${vpcCidr} -o "$uplink" -j MASQUERADE`,
    "service iptables save",
    "systemctl enable --now iptables",
    "sed -i 's/^upgrade_type *=.*/upgrade_type = security/; s/^apply_updates *=.*/apply_updates = yes/' /etc/dnf/automatic.conf",
    "systemctl enable --now dnf-automatic.timer",
    "",
  ].join("\n");
}

/** Creates the instance, its security group and one default route per private subnet. */
export function createNatInstance(name: string, args: NatInstanceArgs, parent: pulumi.Resource): NatInstance {
  const tags = withComponent(args.tags, "network");
  const group = new aws.ec2.SecurityGroup(
    `${name}-nat-sg`,
    { vpcId: args.vpcId, description: "BBWS NAT instance: forwards the VPC egress", tags },
    { parent },
  );
  for (const port of args.forwardedPorts) {
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-nat-in-${port}`,
      {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: args.vpcCidr,
        description: `TCP ${port} from the VPC, to forward`,
        tags,
      },
      { parent },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-nat-out-${port}`,
      {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: "0.0.0.0/0",
        description: `Forwarded TCP ${port} to the internet`,
        tags,
      },
      { parent },
    );
  }

  const template = new aws.ec2.LaunchTemplate(
    `${name}-nat-template`,
    {
      description: "BBWS NAT instance",
      imageId: NAT_INSTANCE_AMI,
      // IMDSv2 only (EC2.8), no instance role: the instance calls no AWS API.
      metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
      userData: Buffer.from(natInstanceUserData(args.vpcCidr)).toString("base64"),
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: {
            volumeSize: NAT_INSTANCE_DISK_GB,
            volumeType: "gp3",
            encrypted: "true",
            deleteOnTermination: "true",
          },
        },
      ],
      tagSpecifications: [{ resourceType: "volume", tags }],
      tags,
    },
    { parent },
  );
  const instance = new aws.ec2.Instance(
    `${name}-nat`,
    {
      launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
      instanceType: args.instanceType,
      subnetId: args.publicSubnetId,
      vpcSecurityGroupIds: [group.id],
      associatePublicIpAddress: true,
      // A router forwards packets that are neither from nor to itself.
      sourceDestCheck: false,
      maintenanceOptions: { autoRecovery: "default" },
      monitoring: false,
      tags: { ...tags, Name: `${name}-nat` },
    },
    { parent },
  );

  const routes: aws.ec2.Route[] = [];
  for (let i = 0; i < args.privateSubnetCount; i++) {
    const table = aws.ec2.getRouteTableOutput(
      { subnetId: args.privateSubnetIds.apply((ids) => ids[i]) },
      { parent },
    );
    routes.push(
      new aws.ec2.Route(
        `${name}-nat-route-${i}`,
        {
          routeTableId: table.routeTableId,
          destinationCidrBlock: "0.0.0.0/0",
          networkInterfaceId: instance.primaryNetworkInterfaceId,
        },
        { parent },
      ),
    );
  }
  return { instance, routes };
}
