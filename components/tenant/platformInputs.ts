/**
 * What a tenant needs from its environment's platform stack. Values arrive through a
 * StackReference, so all of them are Inputs; nothing here decides how many resources exist.
 */
import * as pulumi from "@pulumi/pulumi";

export interface TenantPlatformInputs {
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<string[]>;
  readonly clusterArn: pulumi.Input<string>;
  readonly clusterName: pulumi.Input<string>;
  /** HTTPS listener of the ALB shard the tenant lives on. */
  readonly listenerArn: pulumi.Input<string>;
  /** ARN suffix of that ALB (CloudWatch dimension). */
  readonly loadBalancerArnSuffix: pulumi.Input<string>;
  readonly taskSecurityGroupId: pulumi.Input<string>;
  readonly fileSystemId: pulumi.Input<string>;
  readonly fileSystemArn: pulumi.Input<string>;
  /** One per AZ; the service waits for them. */
  readonly mountTargetIds: pulumi.Input<string>[];
  readonly databaseClusterArn: pulumi.Input<string>;
  readonly databaseMasterSecretArn: pulumi.Input<string>;
  readonly databaseEndpoint: pulumi.Input<string>;
  readonly databasePort: pulumi.Input<number>;
  readonly logGroupName: pulumi.Input<string>;
  readonly logGroupArn: pulumi.Input<string>;
  readonly namespaceId: pulumi.Input<string>;
  readonly dataKeyArn: pulumi.Input<string>;
  readonly repositoryUrl: pulumi.Input<string>;
  readonly repositoryArn: pulumi.Input<string>;
  readonly defaultImage: pulumi.Input<string>;
  readonly alarmTopicArn: pulumi.Input<string>;
}
