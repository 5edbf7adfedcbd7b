/**
 * The online half of the listener certificate check: the `bbws:certificateArn` must cover
 * `*.<domain>` (every tenant host one label below the domain is served with it). Its region is
 * checked with the configuration and its account against the caller by the platform program;
 * its names only ACM knows (DescribeCertificate: DomainName and SubjectAlternativeNames).
 */
import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";

/** Why the certificate does not serve `*.<domain>`, or undefined when it does. */
export async function certificateCoverageProblem(
  acm: ACMClient,
  certificateArn: string,
  domain: string,
): Promise<string | undefined> {
  const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn: certificateArn }));
  // DomainName is also among the SANs; a wildcard name covers the wildcard only by being it.
  const names = [
    ...new Set(
      [Certificate?.DomainName, ...(Certificate?.SubjectAlternativeNames ?? [])]
        .filter((n): n is string => typeof n === "string")
        .map((n) => n.toLowerCase()),
    ),
  ];
  const wanted = `*.${domain}`;
  if (!names.includes(wanted.toLowerCase()))
    return `bbws:certificateArn ${certificateArn} covers ${names.join(", ") || "no names"}, not ${wanted}: tenant hosts below ${domain} would get a certificate for another name; use a certificate with ${wanted} among its names`;
  if (Certificate?.Status && Certificate.Status !== "ISSUED")
    return `bbws:certificateArn ${certificateArn} is ${Certificate.Status}, not ISSUED`;
  return undefined;
}
