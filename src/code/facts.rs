//! Language-neutral facts about handler code, each with the span it comes from.

use crate::source::Span;

/// A statically known value in code, or what it is built from.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    /// A number as written.
    Num(String),
    Bool(bool),
    /// `os.environ['X']`, `os.getenv('X', d)`, `process.env.X ?? d`: the variable and its default.
    Env {
        name: String,
        default: Option<Box<Val>>,
    },
    /// f-strings, template literals, `+` of strings.
    Concat(Vec<Val>),
    /// A dict or object literal with literal keys (in order), each value with its span.
    ///
    /// An object that may hold more fields than those listed (a spread or `**` splat of
    /// something unknown, a computed key, `dict(unknown, k=v)`, `**kwargs` passed to a call) is
    /// *open*: it carries a field named [`OPEN_FIELD`] (`...`) with [`Val::Unknown`], where the
    /// unknown part was. This keeps every `Val::Object` match compiling and meaning what it
    /// did; only absence changes: in an open object a key not listed may exist, so
    /// [`Val::get`] answers `Some(&Val::Unknown)` for it and [`Val::field`] says
    /// [`Field::Unknown`]. A closed object's missing key is [`Field::Absent`].
    Object(Vec<(String, Val, Span)>),
    List(Vec<Val>),
    /// `json.dumps(x)`, `JSON.stringify(x)`.
    Json(Box<Val>),
    /// Not known statically.
    Unknown,
}

/// The field name marking an open object (see [`Val::Object`]); the JavaScript extractor's
/// `UNKNOWN_FIELD` is the same name.
pub const OPEN_FIELD: &str = "...";

static UNKNOWN: Val = Val::Unknown;

/// What is known of one key of a value: present with a value, known absent, or not known.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Field<'a> {
    Present(&'a Val, Span),
    /// A closed object without the key.
    Absent,
    /// The value is not an object, or an open object does not list the key.
    Unknown,
}

impl Val {
    /// A field of an object value. `None` only when the value is an object known not to have the
    /// key (or is not an object); a key not listed in an open object gives `Val::Unknown`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Object(fields) => fields
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, v, _)| v)
                .or_else(|| self.is_open().then_some(&UNKNOWN)),
            _ => None,
        }
    }

    /// Whether an object value may have fields it does not list (see [`Val::Object`]).
    #[must_use]
    pub fn is_open(&self) -> bool {
        match self {
            Val::Object(fields) => fields.iter().any(|(k, _, _)| k == OPEN_FIELD),
            _ => false,
        }
    }

    /// What is known of a key: present (with its value and span), absent from a closed object,
    /// or unknown (an open object, a value that is not a known object).
    #[must_use]
    pub fn field(&self, key: &str) -> Field<'_> {
        match self {
            Val::Object(fields) => match fields.iter().find(|(k, _, _)| k == key) {
                Some((_, v, s)) => Field::Present(v, *s),
                None if self.is_open() => Field::Unknown,
                None => Field::Absent,
            },
            _ => Field::Unknown,
        }
    }

    /// Mark an object value open (a no-op for other values, which are not known objects).
    pub fn open(&mut self, at: Span) {
        if let Val::Object(fields) = self {
            if !fields.iter().any(|(k, _, _)| k == OPEN_FIELD) {
                fields.push((OPEN_FIELD.to_string(), Val::Unknown, at));
            }
        }
    }

    /// The span of a field of an object value.
    #[must_use]
    pub fn span_of(&self, key: &str) -> Option<Span> {
        match self {
            Val::Object(fields) => fields.iter().find(|(k, _, _)| k == key).map(|(_, _, s)| *s),
            _ => None,
        }
    }

    /// The literal string, when fully known.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A call to an AWS SDK operation.
#[derive(Clone, Debug, PartialEq)]
pub struct SdkCall {
    /// IAM service prefix: `events`, `sns`, `sqs`, `lambda`, `states`, `dynamodb`, `s3`,
    /// `kinesis`, `firehose`, ...
    pub service: String,
    /// The operation as IAM names it (`PutEvents`, `SendMessage`, `Invoke` → `InvokeFunction`
    /// is the action; keep the API name here: `Invoke`).
    pub operation: String,
    /// The request parameters (boto3 keyword arguments, SDK v3 command input, SDK v2 params).
    pub params: Val,
    /// The call expression.
    pub span: Span,
}

impl SdkCall {
    /// The IAM action the call needs (`sqs:SendMessage`, `lambda:InvokeFunction`, ...).
    #[must_use]
    pub fn action(&self) -> String {
        let op = match (self.service.as_str(), self.operation.as_str()) {
            ("lambda", "Invoke" | "InvokeAsync" | "InvokeWithResponseStream") => "InvokeFunction",
            (_, op) => op,
        };
        format!("{}:{op}", self.service)
    }
}

/// An outgoing HTTP request.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpCall {
    pub url: Val,
    pub method: Option<String>,
    pub span: Span,
}

/// An environment variable read.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvRead {
    pub name: String,
    /// The read has a default (`os.getenv('X', 'd')`, `os.environ.get('X')`, `process.env.X ?? 'd'`)
    /// or is guarded, so a missing variable does not fail.
    pub has_default: bool,
    pub span: Span,
}

/// Everything an extractor learns from one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileFacts {
    pub calls: Vec<SdkCall>,
    pub http: Vec<HttpCall>,
    pub env: Vec<EnvRead>,
    /// Module specifiers imported, as written (`boto3`, `helpers`, `.util`, `./lib/util.js`,
    /// `@aws-sdk/client-sqs`): local ones are followed, the others tell whether the code is complete.
    pub imports: Vec<String>,
    /// Places where the handler returns `batchItemFailures`.
    pub batch_failures: Vec<Span>,
    /// DynamoDB stream images read (`NewImage`, `OldImage`).
    pub images: Vec<(String, Span)>,
    /// Idempotency markers: Powertools decorators/wrappers, conditional writes.
    pub idempotency: Vec<Span>,
    /// The file could not be parsed.
    pub syntax_error: Option<Span>,
}

/// Value builders for unit tests.
#[cfg(test)]
impl Val {
    pub(crate) fn s(x: &str) -> Val {
        Val::Str(x.into())
    }

    /// An object whose fields all sit at `at`.
    pub(crate) fn obj(fields: Vec<(&str, Val)>, at: Span) -> Val {
        Val::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v, at))
                .collect(),
        )
    }
}
