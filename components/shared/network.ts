/**
 * The environment's VPC: public subnets for the ALBs and NAT gateways (or a NAT instance), private subnets for
 * tasks, EFS mount targets and Aurora; an S3 gateway endpoint (ECR image layers come from S3),
 * optional interface endpoints, REJECT flow logs and a locked-down default security group.
 *
 * The VPC itself is awsx's component (a remote component: under mocks it is one resource, so
 * everything we must be able to check offline is created here from raw resources instead).
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { NatMode } from "../../config/presets";
import { Tags, withComponent } from "../tags";
import { NatInstance, createNatInstance } from "./natInstance";

/** Services reached through interface endpoints when they are enabled. */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"] as const;

export interface NetworkArgs {
  readonly region: string;
  readonly cidrBlock: string;
  readonly availabilityZones: number;
  readonly natGateways: NatMode;
  /** Instance type when natGateways is "instance". */
  readonly natInstanceType: string;
  /** TCP ports the NAT instance forwards (what tasks may send to the internet). */
  readonly egressPorts: readonly number[];
  readonly flowLogRetentionDays: number;
  /** KMS key for the flow log group. */
  readonly telemetryKeyArn: pulumi.Input<string>;
  readonly tags: Tags;
}

export interface Network {
  readonly vpc: awsx.ec2.Vpc;
  readonly vpcId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  /** The NAT instance, when egress goes through one. */
  readonly natInstance?: NatInstance;
}

/** awsx's NAT gateway strategy for a NAT mode (an instance replaces the gateways). */
export function awsxNatStrategy(mode: NatMode): "None" | "Single" | "OnePerAz" {
  return mode === "instance" ? "None" : mode === "onePerAz" ? "OnePerAz" : "Single";
}

/** Creates the VPC, its flow logs and its default-security-group lockdown. */
export function createNetwork(name: string, args: NetworkArgs, parent: pulumi.Resource): Network {
  const vpc = new awsx.ec2.Vpc(
    `${name}-vpc`,
    {
      cidrBlock: args.cidrBlock,
      numberOfAvailabilityZones: args.availabilityZones,
      enableDnsHostnames: true, // EFS mount-target DNS names need them
      enableDnsSupport: true,
      natGateways: { strategy: awsxNatStrategy(args.natGateways) },
      subnetStrategy: "Auto",
      subnetSpecs: [
        { type: "Private", cidrMask: privateMask(args.cidrBlock) },
        { type: "Public", cidrMask: privateMask(args.cidrBlock) + 2 },
      ],
      vpcEndpointStrategy: "Auto",
      vpcEndpointSpecs: [{ serviceName: `com.amazonaws.${args.region}.s3`, vpcEndpointType: "Gateway" }],
      tags: withComponent(args.tags, "network"),
    },
    { parent },
  );

  // A default security group with rules is an open door for anything launched without an
  // explicit group (EC2.2); adopting it with no rules removes them.
  new aws.ec2.DefaultSecurityGroup(
    `${name}-default-sg`,
    { vpcId: vpc.vpcId, tags: withComponent(args.tags, "network") },
    { parent },
  );

  createFlowLog(name, vpc.vpcId, args, parent);

  const natInstance =
    args.natGateways === "instance"
      ? createNatInstance(
          name,
          {
            vpcId: vpc.vpcId,
            vpcCidr: args.cidrBlock,
            publicSubnetId: vpc.publicSubnetIds.apply((ids) => ids[0]),
            privateSubnetIds: vpc.privateSubnetIds,
            privateSubnetCount: args.availabilityZones,
            instanceType: args.natInstanceType,
            forwardedPorts: args.egressPorts,
            tags: args.tags,
          },
          parent,
        )
      : undefined;

  return {
    vpc,
    vpcId: vpc.vpcId,
    privateSubnetIds: vpc.privateSubnetIds,
    publicSubnetIds: vpc.publicSubnetIds,
    natInstance,
  };
}

/**
 * Private subnets get a quarter of the VPC per AZ at most (room for up to 3 AZs plus public
 * subnets); e.g. a /16 gives /18 private and /20 public subnets.
 */
export function privateMask(cidrBlock: string): number {
  const vpcMask = Number(cidrBlock.split("/")[1]);
  return vpcMask + 2;
}

function createFlowLog(
  name: string,
  vpcId: pulumi.Input<string>,
  args: NetworkArgs,
  parent: pulumi.Resource,
) {
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-flow-logs`,
    {
      retentionInDays: args.flowLogRetentionDays,
      kmsKeyId: args.telemetryKeyArn,
      tags: withComponent(args.tags, "network"),
    },
    { parent },
  );
  const role = new aws.iam.Role(
    `${name}-flow-logs-role`,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      }),
      tags: withComponent(args.tags, "network"),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-flow-logs-policy`,
    {
      role: role.name,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
          },
        ],
      }),
    },
    { parent },
  );
  new aws.ec2.FlowLog(
    `${name}-flow-log`,
    {
      vpcId,
      trafficType: "REJECT",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      tags: withComponent(args.tags, "network"),
    },
    { parent },
  );
}

/** Interface endpoints for the AWS APIs tasks call, so image pulls survive a NAT outage. */
export function createInterfaceEndpoints(
  name: string,
  args: {
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<string[]>;
    readonly securityGroupId: pulumi.Input<string>;
    readonly tags: Tags;
  },
  parent: pulumi.Resource,
): aws.ec2.VpcEndpoint[] {
  return INTERFACE_ENDPOINT_SERVICES.map(
    (service) =>
      new aws.ec2.VpcEndpoint(
        `${name}-${service.replace(".", "-")}-endpoint`,
        {
          vpcId: args.vpcId,
          serviceName: `com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: args.subnetIds,
          securityGroupIds: [args.securityGroupId],
          tags: withComponent(args.tags, "network"),
        },
        { parent },
      ),
  );
}
