//! The permission model: SAM policy templates, inline statements (wildcard ARNs, explicit
//! Deny, conditions), roles from parameters, in-scope roles with attached policies and known
//! managed policies, connectors.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::PathBuf;

use eventlint::model::iam::{Decision, allows, identity_policies, role_policies};

fn decide(fn_id: &str, action: &str, target: &str) -> Decision {
    decide_in("template.yaml", fn_id, action, target)
}

fn decide_in(file: &str, fn_id: &str, action: &str, target: &str) -> Decision {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/model/iam")
        .join(file);
    let loaded = eventlint::load::load(&[path]);
    let sys = &loaded.system;
    let f = sys.resource(0, fn_id).unwrap();
    let t = sys.resource(0, target).unwrap();
    allows(sys, &identity_policies(sys, f), action, t)
}

fn allowed(d: &Decision) -> bool {
    matches!(d, Decision::Allowed(_))
}

#[test]
fn sam_policy_templates_allow_exactly_their_resource() {
    assert!(allowed(&decide("TemplateFn", "sqs:SendMessage", "Orders")));
    assert!(allowed(&decide(
        "TemplateFn",
        "sqs:SendMessageBatch",
        "Orders"
    )));
    assert_eq!(
        decide("TemplateFn", "sqs:SendMessage", "Audit"),
        Decision::Denied(None)
    );
    assert!(allowed(&decide("TemplateFn", "events:PutEvents", "Bus")));
    assert_eq!(
        decide("TemplateFn", "sns:Publish", "Topic"),
        Decision::Denied(None)
    );
}

#[test]
fn inline_statements_wildcards_deny_and_conditions() {
    // `audit-*` matches the queue named audit-events, not the unnamed Orders queue
    assert!(allowed(&decide("InlineFn", "sqs:SendMessage", "Audit")));
    assert_eq!(
        decide("InlineFn", "sqs:SendMessage", "Orders"),
        Decision::Unknown("a statement in an inline policy of `InlineFn` may apply".into())
    );
    // explicit Deny wins over `sns:*` on `*`
    assert!(matches!(
        decide("InlineFn", "sns:Publish", "Topic"),
        Decision::Denied(Some(_))
    ));
    // a conditional allow is not certain
    assert!(matches!(
        decide("InlineFn", "events:PutEvents", "Bus"),
        Decision::Unknown(_)
    ));
}

#[test]
fn unknown_roles_and_parameters_stay_unknown() {
    assert!(matches!(
        decide("ExternalRoleFn", "sqs:SendMessage", "Orders"),
        Decision::Unknown(_)
    ));
    assert!(matches!(
        decide("ParamFn", "sqs:SendMessage", "Orders"),
        Decision::Unknown(_)
    ));
}

#[test]
fn in_scope_roles_attached_policies_and_managed_policies() {
    assert!(allowed(&decide("RoleFn", "sqs:SendMessage", "Audit")));
    // AWSLambdaBasicExecutionRole is known and grants nothing on queues
    assert_eq!(
        decide("RoleFn", "sqs:SendMessage", "Orders"),
        Decision::Denied(None)
    );
}

#[test]
fn connectors_grant_their_profile() {
    assert!(allowed(&decide("ConnectedFn", "sns:Publish", "Topic")));
    assert_eq!(
        decide("ConnectedFn", "sqs:SendMessage", "Orders"),
        Decision::Denied(None)
    );
}

mod resource_side {
    use std::path::PathBuf;

    use eventlint::model::System;
    use eventlint::model::iam::{
        Decision, Delivery, key_policy_allows, lambda_permission_allows, resource_policy_allows,
    };

    fn system() -> System {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/model/iam/resource.yaml");
        eventlint::load::load(&[path]).system
    }

    fn deliver(sys: &System, service: &str, target: &str, source: &str) -> Decision {
        let d = Delivery {
            service,
            action: if target == "Worker" {
                "lambda:InvokeFunction"
            } else {
                "sqs:SendMessage"
            },
            target: sys.resource(0, target).unwrap(),
            source: sys.resource(0, source),
        };
        if target == "Worker" {
            lambda_permission_allows(sys, d)
        } else {
            resource_policy_allows(sys, d)
        }
    }

    #[test]
    fn queue_policies_principals_conditions_and_deny() {
        let sys = system();
        // the TLS Deny never applies to a service; the principal is written with the URL suffix
        assert!(matches!(
            deliver(&sys, "sns.amazonaws.com", "Secure", "Orders"),
            Decision::Allowed(_)
        ));
        assert!(matches!(
            deliver(&sys, "sns.amazonaws.com", "Secure", "Refunds"),
            Decision::Denied(Some(_))
        ));
        assert_eq!(
            deliver(&sys, "events.amazonaws.com", "Secure", "Nightly"),
            Decision::Denied(None)
        );
        // NotAction and a conditional policy resource are not decided
        assert!(matches!(
            deliver(&sys, "sns.amazonaws.com", "Negated", "Orders"),
            Decision::Unknown(_)
        ));
        assert!(matches!(
            deliver(&sys, "sns.amazonaws.com", "Conditional", "Orders"),
            Decision::Unknown(_)
        ));
    }

    #[test]
    fn key_policies() {
        let sys = system();
        let key = |id| sys.resource(0, id).unwrap();
        let orders = sys.resource(0, "Orders");
        for id in ["RootOnlyKey", "DefaultPolicyKey"] {
            assert_eq!(
                key_policy_allows(&sys, key(id), "sns.amazonaws.com", "kms:Decrypt", orders),
                Decision::Denied(None),
                "{id}"
            );
        }
        assert!(matches!(
            key_policy_allows(
                &sys,
                key("ServiceKey"),
                "events.amazonaws.com",
                "kms:GenerateDataKey",
                None
            ),
            Decision::Allowed(_)
        ));
        assert_eq!(
            key_policy_allows(
                &sys,
                key("ServiceKey"),
                "s3.amazonaws.com",
                "kms:Decrypt",
                None
            ),
            Decision::Denied(None)
        );
    }

    #[test]
    fn permissions_sam_events_generate() {
        let sys = system();
        // SNS: scoped to its topic; S3: SourceAccount only; Schedule: SAM's own rule only
        assert!(matches!(
            deliver(&sys, "sns.amazonaws.com", "Worker", "Orders"),
            Decision::Allowed(_)
        ));
        assert_eq!(
            deliver(&sys, "sns.amazonaws.com", "Worker", "Refunds"),
            Decision::Denied(None)
        );
        assert!(matches!(
            deliver(&sys, "s3.amazonaws.com", "Worker", "Uploads"),
            Decision::Allowed(_)
        ));
        assert_eq!(
            deliver(&sys, "events.amazonaws.com", "Worker", "Nightly"),
            Decision::Denied(None)
        );
    }
}

#[test]
fn role_policies_and_policies_attached_by_name_or_to_unknown_roles() {
    // the RolePolicy names the role by its RoleName; the Policy on a parameter's role may
    // be attached to it too, so what it does not allow is unknown
    assert!(allowed(&decide_in(
        "attached.yaml",
        "NamedFn",
        "sqs:SendMessage",
        "Orders"
    )));
    assert!(matches!(
        decide_in("attached.yaml", "NamedFn", "sqs:SendMessage", "Audit"),
        Decision::Unknown(_)
    ));
}

#[test]
fn lambda_full_access_does_not_grant_other_services() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/model/iam/attached.yaml");
    let loaded = eventlint::load::load(&[path]);
    let sys = &loaded.system;
    let f = sys.resource(0, "FullAccessFn").unwrap();
    let set = identity_policies(sys, f);
    let role = sys.resource(0, "NamedRole").unwrap();
    assert!(allows(sys, &set, "lambda:InvokeFunction", f) != Decision::Denied(None));
    assert_eq!(
        allows(
            sys,
            &set,
            "sqs:SendMessage",
            sys.resource(0, "Orders").unwrap()
        ),
        Decision::Denied(None)
    );
    // the role of a target, read on its own
    let role_set = role_policies(sys, role);
    assert_eq!(role_set.statements.len(), 1);
}
