use super::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a resource that fails a Guard policy: the policies eventlint ships
    /// (`rules/policies/*.guard`, built into the binary) and the user's own, given with
    /// `--policy PATH` (a `.guard` file, or a folder searched for `.guard` and `.ruleset`
    /// files; repeatable). `--no-default-policies` turns the shipped pack off. Guard runs
    /// in-process through the cfn-guard library on the template as written (SAM resources are
    /// seen before the transform), and each failing clause is reported at the place its path
    /// names in the template, or at the nearest part of it that exists (the `Properties` that
    /// lack a key, the resource's logical ID). Where only the shipped pack applies, Guard is
    /// given the part of the template the pack can read (`Globals` and the resources of the
    /// types its queries select), with the same paths and values.
    ///
    /// The message is the Guard rule's name and its custom message (`<< ... >>`). A line
    /// `severity: error` (or `warning`, `info`) in the custom message sets the finding's
    /// severity; without one it is a warning. In SARIF, the result's `ruleId` is the Guard
    /// rule's name. A policy file that does not parse is reported as EL901 at the position
    /// Guard gives, and the other policies still run. A comment line
    /// `# eventlint: types AWS::SQS::Queue ...` in a policy file restricts it to templates with
    /// a resource of one of those types (`AWS::Serverless::Function:SQS`: a SAM function with
    /// an `SQS` event); Guard does not run where no policy applies.
    ///
    /// The shipped pack (all `severity: info`, since none of it loses events by itself):
    /// - `sqs_queue_encrypted`: an SQS queue does not turn off the default SSE-SQS
    ///   (`SqsManagedSseEnabled: false`) without a `KmsMasterKeyId`;
    /// - `sns_topic_encrypted`: an SNS topic sets `KmsMasterKeyId`;
    /// - `event_bus_archived`: a custom event bus has an `AWS::Events::Archive` whose `SourceArn`
    ///   is `!GetAtt <bus>.Arn`;
    /// - `state_machine_logging`, `sam_state_machine_logging`, `state_machine_tracing`,
    ///   `sam_state_machine_tracing`: a state machine logs (`Level` ALL, ERROR or FATAL, with a
    ///   destination) and is traced with X-Ray;
    /// - `sam_queue_consumer_concurrency`, `queue_consumer_concurrency`: a function consuming an
    ///   SQS queue has `ReservedConcurrentExecutions` (on the function or in SAM `Globals`) or
    ///   its event source sets `ScalingConfig.MaximumConcurrency`;
    /// - `dynamodb_table_pitr`, `sam_simple_table_pitr`: a DynamoDB table has point-in-time
    ///   recovery (an `AWS::Serverless::SimpleTable` cannot have it).
    ///
    /// ## Why it matters
    /// A platform team enforces its own rules on top of eventlint's: encryption at rest,
    /// replayable buses, observable workflows, bounded consumers. Written in Guard, the same
    /// policies run in `cfn-guard` and here, with findings that point at the line, in every
    /// output format, and suppressible like any other.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Alerts:                      # expect: EL903 (sns_topic_encrypted)
    ///     Type: AWS::SNS::Topic
    /// ```
    /// A user policy:
    /// ```text
    /// let queues = Resources.*[ Type == 'AWS::SQS::Queue' ]
    /// rule queue_retention_max when %queues !empty {
    ///     %queues.Properties.MessageRetentionPeriod == 1209600
    ///     <<
    ///         severity: error
    ///         queues keep messages for 14 days
    ///     >>
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Change the resource as the policy's message says, or suppress the finding on the
    /// resource when the policy does not apply there: `EL903:<rule>` (or
    /// `policy-violation:<rule>`) names one Guard rule, by its exact, case-sensitive name, and
    /// leaves the resource's other policies in force; plain `EL903` silences them all.
    /// ```yaml
    /// Resources:
    ///   PublicFeed:
    ///     Type: AWS::SQS::Queue
    ///     Metadata:
    ///       eventlint:
    ///         ignore: ["EL903:sqs_queue_encrypted"]   # the queue holds public data
    ///     Properties:
    ///       SqsManagedSseEnabled: false
    /// ```
    /// The same entries work at the template's top level, in `ignore` and `per-path-ignores` of
    /// `eventlint.toml`, and in `--ignore`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/cfn-guard/latest/ug/what-is-guard.html>
    /// - <https://docs.aws.amazon.com/cfn-guard/latest/ug/writing-rules.html>
    pub PolicyViolation { code: "EL903", name: "policy-violation", severity: Warning }
}

impl Rule for PolicyViolation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        // Guard ran before the rules (crate::policy), one template per task.
        cx.policy_findings.to_vec()
    }
}
