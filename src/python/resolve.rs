//! What a name or dotted expression in a Python file refers to, through the file's imports.
//!
//! The rule: follow imports and single, unconditional assignments; leave everything else
//! opaque. A [`Resolver`] is built once per module. It records, per scope (module, function,
//! class, lambda, comprehension), how each name is bound:
//! - an import binds a qualified name (`from kubernetes import client as k8s` binds `k8s` to
//!   `kubernetes.client`; `import kubernetes.client` binds `kubernetes` to `kubernetes`);
//! - a name assigned exactly once, in straight-line code of its scope (`with` and `try` bodies
//!   count, `if`/`for`/`while`/`match`/`except` do not), is followed to its value when that value
//!   is a literal, a display (`[...]`, `{...}`, `(...)`), an alias of another followable name,
//!   or a call of a recognised (flyte, flytekit, kubernetes) callable;
//! - anything else is opaque: a second binding of any kind (`class PodTemplate` after
//!   `from flyte import PodTemplate`), a parameter, a loop variable, `global` rebinding from a
//!   function, a relative import (`from .models import V1Pod`), an f-string, an unknown call.
//!
//! Names resolve in the scope of their position, with Python's rules (class bodies are not
//! visible from the functions inside them). Qualified names are canonical: the client re-exports
//! its models, so `kubernetes.client.models.v1_pod.V1Pod` and `kubernetes.client.V1Pod` are one
//! name (see [`canonical_name`]).
//!
//! Nothing here looks at a bare name: a file with `class PodTemplate` and no Flyte import has no
//! `flyte.PodTemplate`, and [`Frameworks::is_relevant`] is false for it.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

/// The packages whose names a Python file may use for Flyte constructs.
pub const ROOTS: [&str; 3] = ["flyte", "flytekit", "kubernetes"];

/// Which of flyte, flytekit and kubernetes a file imports (anywhere, absolute imports only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Frameworks {
    pub flyte: bool,
    pub flytekit: bool,
    pub kubernetes: bool,
}

impl Frameworks {
    /// A file that imports none of them is not a Flyte file, whatever names it defines.
    pub fn is_relevant(self) -> bool {
        self.flyte || self.flytekit || self.kubernetes
    }

    fn note(&mut self, module: &str) {
        match module.split('.').next() {
            Some("flyte") => self.flyte = true,
            Some("flytekit") => self.flytekit = true,
            Some("kubernetes") => self.kubernetes = true,
            _ => {}
        }
    }
}

/// What an expression resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'m> {
    /// An imported module, class, function or attribute of one, by canonical qualified name:
    /// `kubernetes.client.V1Container`, `flyte.PodTemplate.from_spec`, `flytekit.task`.
    Symbol(String),
    /// The value a name is bound to, once and unconditionally (a literal, a display, or a
    /// recognised call such as `flyte.PodTemplate(...)`), or the expression itself when it is
    /// one of those. The expression is the right-hand side in the same module.
    Value(&'m Expr),
    /// What only run time knows, or what the file does not say.
    Opaque,
}

impl Resolved<'_> {
    /// The qualified name, for a [`Resolved::Symbol`].
    pub fn symbol(&self) -> Option<&str> {
        match self {
            Resolved::Symbol(name) => Some(name),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Module,
    Function,
    Class,
    Lambda,
    Comprehension,
}

#[derive(Debug)]
enum Binding<'m> {
    Import(String),
    Value(&'m Expr),
    Opaque,
}

#[derive(Debug)]
struct Scope<'m> {
    kind: ScopeKind,
    range: TextRange,
    parent: Option<usize>,
    children: Vec<usize>,
    bindings: HashMap<&'m str, Binding<'m>>,
    globals: HashSet<&'m str>,
    nonlocals: HashSet<&'m str>,
}

/// Resolves names of one module. Build with [`Resolver::new`]; all queries are by expression.
#[derive(Debug)]
pub struct Resolver<'m> {
    scopes: Vec<Scope<'m>>,
    /// Module-level `from M import *`: (module, imported conditionally).
    stars: Vec<(String, bool)>,
    frameworks: Frameworks,
    /// [`Resolver::callee`]'s answers by the call's range: lowering asks up to three times per
    /// call (finding the constructs, lowering a call, lowering it as a value).
    callees: RefCell<HashMap<(u32, u32), Option<String>>>,
}

/// Alias chains (`A = B`, `B = k8s.V1Pod`) are followed this far; a cycle ends as opaque.
const MAX_FOLLOW: usize = 32;

impl<'m> Resolver<'m> {
    pub fn new(module: &'m ast::ModModule) -> Resolver<'m> {
        let mut builder = Builder {
            scopes: vec![Scope::new(
                ScopeKind::Module,
                TextRange::new(0.into(), TextSize::new(u32::MAX)),
                None,
            )],
            current: 0,
            conditional: false,
            stars: Vec::new(),
            frameworks: Frameworks::default(),
        };
        builder.visit_body(&module.body);
        Resolver {
            scopes: builder.scopes,
            stars: builder.stars,
            frameworks: builder.frameworks,
            callees: RefCell::new(HashMap::new()),
        }
    }

    /// Which frameworks the file imports.
    pub fn frameworks(&self) -> Frameworks {
        self.frameworks
    }

    /// Whether the file imports flyte, flytekit or kubernetes.
    pub fn is_relevant(&self) -> bool {
        self.frameworks.is_relevant()
    }

    /// What `expr` means at its own position: a name or dotted expression gives the imported
    /// symbol or the single value it is bound to; a literal, display or recognised call gives
    /// itself as a value; anything else is opaque.
    pub fn resolve(&self, expr: &'m Expr) -> Resolved<'m> {
        self.resolve_depth(expr, 0)
    }

    /// The canonical qualified name of a name or dotted expression, if it is an imported symbol
    /// (directly or through aliases such as `PT = flyte.PodTemplate`).
    pub fn qualified_name(&self, expr: &'m Expr) -> Option<String> {
        match self.resolve(expr) {
            Resolved::Symbol(name) => Some(name),
            _ => None,
        }
    }

    /// The qualified name of what a call calls (`k8s.V1Pod(...)` → `kubernetes.client.V1Pod`).
    pub fn callee(&self, call: &'m ast::ExprCall) -> Option<String> {
        let range = call.range();
        let key = (range.start().to_u32(), range.end().to_u32());
        if let Some(known) = self.callees.borrow().get(&key) {
            return known.clone();
        }
        let answer = self.qualified_name(&call.func);
        self.callees.borrow_mut().insert(key, answer.clone());
        answer
    }

    /// Whether a call is of a flyte, flytekit or kubernetes callable, or a method called on the
    /// result of one (`flyte.PodTemplate().allow_fuse()`).
    pub fn is_recognised_call(&self, call: &'m ast::ExprCall) -> bool {
        self.recognised_call(call, 0)
    }

    fn resolve_depth(&self, expr: &'m Expr, depth: usize) -> Resolved<'m> {
        if depth > MAX_FOLLOW {
            return Resolved::Opaque;
        }
        match expr {
            Expr::Name(name) => match self.lookup(name.id.as_str(), name.range.start()) {
                Some(Binding::Import(qualified)) => Resolved::Symbol(canonical_name(qualified)),
                Some(Binding::Value(value)) => self.follow(value, depth + 1),
                Some(Binding::Opaque) => Resolved::Opaque,
                None => self.star(name.id.as_str()),
            },
            Expr::Attribute(attribute) => match self.resolve_depth(&attribute.value, depth + 1) {
                Resolved::Symbol(base) => Resolved::Symbol(canonical_name(&format!(
                    "{base}.{}",
                    attribute.attr.as_str()
                ))),
                _ => Resolved::Opaque,
            },
            _ => self.follow(expr, depth),
        }
    }

    /// The value of a right-hand side (or of an expression used directly).
    fn follow(&self, value: &'m Expr, depth: usize) -> Resolved<'m> {
        match value {
            Expr::Name(_) | Expr::Attribute(_) => self.resolve_depth(value, depth),
            Expr::Call(call) if self.recognised_call(call, depth) => Resolved::Value(value),
            _ if is_literal(value) || is_display(value) => Resolved::Value(value),
            _ => Resolved::Opaque,
        }
    }

    fn recognised_call(&self, call: &'m ast::ExprCall, depth: usize) -> bool {
        if depth > MAX_FOLLOW {
            return false;
        }
        if let Resolved::Symbol(name) = self.resolve_depth(&call.func, depth + 1) {
            return is_under_roots(&name);
        }
        // A method of a recognised call's result: `flyte.PodTemplate().allow_fuse()`, or of a
        // name bound to one: `base = flyte.PodTemplate()` then `base.allow_fuse()`.
        let Expr::Attribute(attribute) = &*call.func else {
            return false;
        };
        match &*attribute.value {
            Expr::Call(inner) => self.recognised_call(inner, depth + 1),
            receiver @ Expr::Name(_) => matches!(
                self.resolve_depth(receiver, depth + 1),
                Resolved::Value(Expr::Call(_))
            ),
            _ => false,
        }
    }

    fn lookup(&self, name: &str, at: TextSize) -> Option<&Binding<'m>> {
        let start = self.innermost(at);
        let mut index = start;
        loop {
            let scope = &self.scopes[index];
            // A class body's names are not visible from the scopes nested in it.
            if index == start || scope.kind != ScopeKind::Class {
                if let Some(binding) = scope.bindings.get(name) {
                    return Some(binding);
                }
            }
            index = scope.parent?;
        }
    }

    fn star(&self, name: &str) -> Resolved<'m> {
        match self.stars.as_slice() {
            [(module, false)] => Resolved::Symbol(canonical_name(&format!("{module}.{name}"))),
            _ => Resolved::Opaque,
        }
    }

    fn innermost(&self, at: TextSize) -> usize {
        let mut index = 0;
        loop {
            // Children are in source order and do not overlap: the candidate is the last one
            // that starts at or before `at`.
            let children = &self.scopes[index].children;
            let after = children.partition_point(|&c| self.scopes[c].range.start() <= at);
            match after.checked_sub(1).map(|i| children[i]) {
                Some(child) if self.scopes[child].range.contains(at) => index = child,
                _ => return index,
            }
        }
    }
}

impl<'m> Scope<'m> {
    fn new(kind: ScopeKind, range: TextRange, parent: Option<usize>) -> Scope<'m> {
        Scope {
            kind,
            range,
            parent,
            children: Vec::new(),
            bindings: HashMap::new(),
            globals: HashSet::new(),
            nonlocals: HashSet::new(),
        }
    }
}

/// Whether a canonical qualified name is under flyte, flytekit or kubernetes.
pub fn is_under_roots(qualified: &str) -> bool {
    ROOTS.contains(&qualified.split('.').next().unwrap_or(""))
}

/// Re-export paths in flytekit and flyte that user code imports from, mapped to the public
/// name. Prefixes end at a segment boundary; the rest (`.from_spec`) is kept.
const REEXPORTS: [(&str, &str); 6] = [
    (
        "flytekit.core.pod_template.PodTemplate",
        "flytekit.PodTemplate",
    ),
    ("flytekit.core.task.task", "flytekit.task"),
    ("flytekit.core.resources.Resources", "flytekit.Resources"),
    ("flyte._pod.PodTemplate", "flyte.PodTemplate"),
    (
        "flyte._task_environment.TaskEnvironment",
        "flyte.TaskEnvironment",
    ),
    ("flyte._resources.Resources", "flyte.Resources"),
];

/// The canonical spelling of a qualified name. The kubernetes client re-exports every model:
/// `kubernetes.client.models.V1Pod` and `kubernetes.client.models.v1_pod.V1Pod` are
/// `kubernetes.client.V1Pod`. A few flytekit/flyte definition paths map to their public names
/// (`flytekit.core.pod_template.PodTemplate` → `flytekit.PodTemplate`). Other names are kept.
pub fn canonical_name(qualified: &str) -> String {
    // Most names are already canonical (`flyte.TaskEnvironment`, `kubernetes.client.V1Pod`):
    // answer them without splitting.
    if !qualified.starts_with("kubernetes.client.models")
        && !REEXPORTS
            .iter()
            .any(|(from, _)| qualified.starts_with(from))
    {
        return qualified.to_string();
    }
    let segments: Vec<&str> = qualified.split('.').collect();
    if let ["kubernetes", "client", "models", rest @ ..] = segments.as_slice() {
        let starts_upper = |s: &&str| s.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        let tail = match rest {
            [module, class, ..] if !starts_upper(module) && starts_upper(class) => &rest[1..],
            [class, ..] if starts_upper(class) => rest,
            _ => return qualified.to_string(),
        };
        return format!("kubernetes.client.{}", tail.join("."));
    }
    for (from, to) in REEXPORTS {
        if let Some(rest) = qualified.strip_prefix(from) {
            if rest.is_empty() || rest.starts_with('.') {
                return format!("{to}{rest}");
            }
        }
    }
    qualified.to_string()
}

fn is_literal(expr: &Expr) -> bool {
    match expr {
        Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_) => true,
        Expr::UnaryOp(op) => {
            matches!(op.op, ast::UnaryOp::USub | ast::UnaryOp::UAdd)
                && matches!(&*op.operand, Expr::NumberLiteral(_))
        }
        _ => false,
    }
}

fn is_display(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Dict(_) | Expr::List(_) | Expr::Tuple(_) | Expr::Set(_)
    )
}

struct Builder<'m> {
    scopes: Vec<Scope<'m>>,
    current: usize,
    conditional: bool,
    stars: Vec<(String, bool)>,
    frameworks: Frameworks,
}

impl<'m> Builder<'m> {
    fn bind(&mut self, name: &'m str, binding: Binding<'m>) {
        let scope = &self.scopes[self.current];
        let target = if scope.globals.contains(name) {
            // Assigned from a function body: any number of times, at any time.
            Some((0, Binding::Opaque))
        } else if scope.nonlocals.contains(name) {
            self.enclosing_function(self.current)
                .map(|i| (i, Binding::Opaque))
        } else {
            // A conditional import of what the name already holds changes nothing: `import
            // flyte.git` under `if __name__ == "__main__":` binds `flyte` to `flyte` again.
            let same_import = matches!(
                (&binding, scope.bindings.get(name)),
                (Binding::Import(a), Some(Binding::Import(b))) if a == b
            );
            let binding = if self.conditional && !same_import {
                Binding::Opaque
            } else {
                binding
            };
            Some((self.current, binding))
        };
        let Some((index, binding)) = target else {
            return;
        };
        let bindings = &mut self.scopes[index].bindings;
        match bindings.get(name) {
            None => {
                bindings.insert(name, binding);
            }
            // The same import twice is one binding.
            Some(Binding::Import(a)) if matches!(&binding, Binding::Import(b) if a == b) => {}
            Some(_) => {
                bindings.insert(name, Binding::Opaque);
            }
        }
    }

    fn enclosing_function(&self, from: usize) -> Option<usize> {
        let mut index = self.scopes[from].parent?;
        loop {
            if self.scopes[index].kind == ScopeKind::Function {
                return Some(index);
            }
            index = self.scopes[index].parent?;
        }
    }

    /// Binds every name a target binds; `value` only when the target is a plain name.
    fn bind_target(&mut self, target: &'m Expr, value: Option<&'m Expr>) {
        match target {
            Expr::Name(name) => {
                let binding = value.map_or(Binding::Opaque, Binding::Value);
                self.bind(name.id.as_str(), binding);
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for elt in elts {
                    self.bind_target(elt, None);
                }
            }
            Expr::Starred(starred) => self.bind_target(&starred.value, None),
            // `obj.attr = ...`, `obj[key] = ...` bind no name, but their parts are expressions.
            other => self.visit_expr(other),
        }
    }

    fn push_scope(&mut self, kind: ScopeKind, range: TextRange) -> usize {
        let index = self.scopes.len();
        self.scopes
            .push(Scope::new(kind, range, Some(self.current)));
        self.scopes[self.current].children.push(index);
        index
    }

    /// Runs `f` inside a new scope (straight-line at its start), then returns to this one.
    fn in_scope(&mut self, kind: ScopeKind, range: TextRange, f: impl FnOnce(&mut Self)) {
        let index = self.push_scope(kind, range);
        let (current, conditional) = (self.current, self.conditional);
        self.current = index;
        self.conditional = false;
        f(self);
        self.current = current;
        self.conditional = conditional;
    }

    fn conditionally(&mut self, f: impl FnOnce(&mut Self)) {
        let conditional = self.conditional;
        self.conditional = true;
        f(self);
        self.conditional = conditional;
    }

    fn bind_parameters(&mut self, parameters: &'m ast::Parameters) {
        for parameter in parameters.iter() {
            self.bind(parameter.name().as_str(), Binding::Opaque);
        }
    }

    fn import(&mut self, import: &'m ast::StmtImport) {
        for alias in &import.names {
            let module = alias.name.as_str();
            self.frameworks.note(module);
            match &alias.asname {
                Some(asname) => self.bind(asname.as_str(), Binding::Import(module.to_string())),
                None => {
                    let top = module.split('.').next().unwrap_or(module);
                    // Bind the first segment's own `&'m str`, which lives in the alias.
                    let top_name = &alias.name.as_str()[..top.len()];
                    self.bind(top_name, Binding::Import(top.to_string()));
                }
            }
        }
    }

    fn import_from(&mut self, import: &'m ast::StmtImportFrom) {
        let module = import.module.as_ref().map_or("", |m| m.as_str());
        let absolute = import.level == 0 && !module.is_empty();
        if absolute {
            self.frameworks.note(module);
        }
        for alias in &import.names {
            let name = alias.name.as_str();
            if name == "*" {
                if absolute && self.current == 0 {
                    self.stars.push((module.to_string(), self.conditional));
                }
                continue;
            }
            let bound = alias.asname.as_ref().map_or(name, |a| a.as_str());
            let binding = if absolute {
                Binding::Import(format!("{module}.{name}"))
            } else {
                // `from . import x`, `from .models import V1Pod`: this project's own modules.
                Binding::Opaque
            };
            self.bind(bound, binding);
        }
    }

    fn bind_pattern(&mut self, pattern: &'m ast::Pattern) {
        struct Names<'a, 'm>(&'a mut Builder<'m>);
        impl<'m> Visitor<'m> for Names<'_, 'm> {
            fn visit_pattern(&mut self, pattern: &'m ast::Pattern) {
                let name = match pattern {
                    ast::Pattern::MatchAs(p) => p.name.as_ref(),
                    ast::Pattern::MatchStar(p) => p.name.as_ref(),
                    ast::Pattern::MatchMapping(p) => p.rest.as_ref(),
                    _ => None,
                };
                if let Some(name) = name {
                    self.0.bind(name.as_str(), Binding::Opaque);
                }
                visitor::walk_pattern(self, pattern);
            }
            fn visit_expr(&mut self, expr: &'m Expr) {
                self.0.visit_expr(expr);
            }
        }
        Names(self).visit_pattern(pattern);
    }

    fn comprehension(
        &mut self,
        range: TextRange,
        generators: &'m [ast::Comprehension],
        elements: &[&'m Expr],
    ) {
        // Python evaluates the first iterable in the enclosing scope; it is walked inside the
        // comprehension's scope here so that scopes nest by position. A name there that is also
        // a target resolves as opaque instead of to the outer binding: the safe side.
        self.in_scope(ScopeKind::Comprehension, range, |b| {
            for generator in generators {
                b.visit_expr(&generator.iter);
                b.bind_target(&generator.target, None);
                for condition in &generator.ifs {
                    b.visit_expr(condition);
                }
            }
            for element in elements {
                b.visit_expr(element);
            }
        });
    }
}

/// The range a function or class body covers (its first statement to the definition's end).
fn body_range(body: &[Stmt], whole: TextRange) -> TextRange {
    match body.first() {
        Some(first) => TextRange::new(first.start(), whole.end().max(first.start())),
        None => TextRange::empty(whole.end()),
    }
}

impl<'m> Visitor<'m> for Builder<'m> {
    fn visit_stmt(&mut self, stmt: &'m Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_decorator(decorator);
                }
                // Defaults and annotations are evaluated where the function is defined.
                self.visit_parameters(&def.parameters);
                if let Some(returns) = &def.returns {
                    self.visit_annotation(returns);
                }
                self.bind(def.name.as_str(), Binding::Opaque);
                self.in_scope(ScopeKind::Function, body_range(&def.body, def.range), |b| {
                    b.bind_parameters(&def.parameters);
                    b.visit_body(&def.body);
                });
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.bind(class.name.as_str(), Binding::Opaque);
                self.in_scope(
                    ScopeKind::Class,
                    body_range(&class.body, class.range),
                    |b| {
                        b.visit_body(&class.body);
                    },
                );
            }
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                for target in &assign.targets {
                    self.bind_target(target, Some(&assign.value));
                }
            }
            Stmt::AnnAssign(assign) => {
                self.visit_annotation(&assign.annotation);
                if let Some(value) = &assign.value {
                    self.visit_expr(value);
                    self.bind_target(&assign.target, Some(value));
                }
            }
            Stmt::AugAssign(assign) => {
                self.visit_expr(&assign.value);
                self.bind_target(&assign.target, None);
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    self.bind_target(target, None);
                }
            }
            Stmt::TypeAlias(alias) => {
                if let Expr::Name(name) = &*alias.name {
                    self.bind(name.id.as_str(), Binding::Opaque);
                }
            }
            Stmt::For(for_) => {
                self.visit_expr(&for_.iter);
                self.conditionally(|b| {
                    b.bind_target(&for_.target, None);
                    b.visit_body(&for_.body);
                    b.visit_body(&for_.orelse);
                });
            }
            Stmt::While(while_) => {
                self.visit_expr(&while_.test);
                self.conditionally(|b| {
                    b.visit_body(&while_.body);
                    b.visit_body(&while_.orelse);
                });
            }
            Stmt::If(if_) => {
                self.visit_expr(&if_.test);
                self.conditionally(|b| {
                    b.visit_body(&if_.body);
                    for clause in &if_.elif_else_clauses {
                        if let Some(test) = &clause.test {
                            b.visit_expr(test);
                        }
                        b.visit_body(&clause.body);
                    }
                });
            }
            Stmt::With(with) => {
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(vars) = &item.optional_vars {
                        self.bind_target(vars, None);
                    }
                }
                self.visit_body(&with.body);
            }
            Stmt::Try(try_) => {
                self.visit_body(&try_.body);
                self.conditionally(|b| {
                    for handler in &try_.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        if let Some(type_) = &handler.type_ {
                            b.visit_expr(type_);
                        }
                        if let Some(name) = &handler.name {
                            b.bind(name.as_str(), Binding::Opaque);
                        }
                        b.visit_body(&handler.body);
                    }
                    b.visit_body(&try_.orelse);
                });
                self.visit_body(&try_.finalbody);
            }
            Stmt::Match(match_) => {
                self.visit_expr(&match_.subject);
                self.conditionally(|b| {
                    for case in &match_.cases {
                        b.bind_pattern(&case.pattern);
                        if let Some(guard) = &case.guard {
                            b.visit_expr(guard);
                        }
                        b.visit_body(&case.body);
                    }
                });
            }
            Stmt::Import(import) => self.import(import),
            Stmt::ImportFrom(import) => self.import_from(import),
            Stmt::Global(global) => {
                let names = global.names.iter().map(|n| n.as_str());
                if self.current == 0 {
                    return;
                }
                let scope = &mut self.scopes[self.current];
                scope.globals.extend(names);
            }
            Stmt::Nonlocal(nonlocal) => {
                let names = nonlocal.names.iter().map(|n| n.as_str());
                self.scopes[self.current].nonlocals.extend(names);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'m Expr) {
        match expr {
            Expr::Named(named) => {
                self.visit_expr(&named.value);
                // `:=` binds in the nearest scope that is not a comprehension.
                let saved = self.current;
                while self.scopes[self.current].kind == ScopeKind::Comprehension {
                    match self.scopes[self.current].parent {
                        Some(parent) => self.current = parent,
                        None => break,
                    }
                }
                self.bind_target(&named.target, None);
                self.current = saved;
            }
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    self.visit_parameters(parameters);
                }
                self.in_scope(ScopeKind::Lambda, lambda.body.range(), |b| {
                    if let Some(parameters) = &lambda.parameters {
                        b.bind_parameters(parameters);
                    }
                    b.visit_expr(&lambda.body);
                });
            }
            Expr::ListComp(c) => self.comprehension(c.range, &c.generators, &[&c.elt]),
            Expr::SetComp(c) => self.comprehension(c.range, &c.generators, &[&c.elt]),
            Expr::Generator(c) => self.comprehension(c.range, &c.generators, &[&c.elt]),
            Expr::DictComp(c) => match &c.key {
                Some(key) => self.comprehension(c.range, &c.generators, &[key, &c.value]),
                None => self.comprehension(c.range, &c.generators, &[&c.value]),
            },
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Every import style, aliases, module-level values, scopes, and the look-alikes that must not
/// resolve.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse;

    /// Resolves the expression `probe` as if written at the end of `source` (appended as its own
    /// statement, so it sees module scope).
    fn resolve_in(source: &str, probe: &str) -> String {
        let text = format!("{source}\n{probe}\n");
        let parsed = parse(&text);
        assert!(parsed.errors.is_empty(), "{text}: {:?}", parsed.errors);
        let resolver = Resolver::new(&parsed.module);
        let Some(Stmt::Expr(last)) = parsed.module.body.last() else {
            panic!("probe is not an expression: {probe}")
        };
        describe(&resolver.resolve(&last.value), &text)
    }

    fn describe(resolved: &Resolved<'_>, text: &str) -> String {
        match resolved {
            Resolved::Symbol(name) => name.clone(),
            Resolved::Value(expr) => format!("value {}", &text[crate::python::range_of(*expr)]),
            Resolved::Opaque => "opaque".to_string(),
        }
    }

    fn relevant(source: &str) -> bool {
        let parsed = parse(source);
        Resolver::new(&parsed.module).is_relevant()
    }

    #[test]
    fn kubernetes_client_import_styles() {
        let cases = [
            (
                "from kubernetes.client import V1Container",
                "V1Container",
                "kubernetes.client.V1Container",
            ),
            (
                "from kubernetes.client import (\n    V1Container,\n    V1PodSpec,\n)",
                "V1PodSpec",
                "kubernetes.client.V1PodSpec",
            ),
            (
                "from kubernetes.client.models import V1Container",
                "V1Container",
                "kubernetes.client.V1Container",
            ),
            (
                "from kubernetes.client.models.v1_container import V1Container",
                "V1Container",
                "kubernetes.client.V1Container",
            ),
            (
                "import kubernetes",
                "kubernetes.client.V1Pod",
                "kubernetes.client.V1Pod",
            ),
            (
                "import kubernetes",
                "kubernetes.client.models.V1PodSpec",
                "kubernetes.client.V1PodSpec",
            ),
            (
                "import kubernetes",
                "kubernetes.client.models.v1_pod_spec.V1PodSpec",
                "kubernetes.client.V1PodSpec",
            ),
            (
                "import kubernetes.client",
                "kubernetes.client.V1Pod",
                "kubernetes.client.V1Pod",
            ),
            (
                "import kubernetes.client as kc",
                "kc.V1Pod",
                "kubernetes.client.V1Pod",
            ),
            (
                "import kubernetes.client.models as m",
                "m.V1Volume",
                "kubernetes.client.V1Volume",
            ),
            (
                "from kubernetes import client",
                "client.V1Pod",
                "kubernetes.client.V1Pod",
            ),
            (
                "from kubernetes import client as k8s",
                "k8s.V1Pod",
                "kubernetes.client.V1Pod",
            ),
            (
                "from kubernetes.client import models",
                "models.V1Toleration",
                "kubernetes.client.V1Toleration",
            ),
            (
                "from kubernetes.client import V1Container as C",
                "C",
                "kubernetes.client.V1Container",
            ),
            (
                "import kubernetes as k",
                "k.client.V1Pod",
                "kubernetes.client.V1Pod",
            ),
        ];
        for (source, probe, expected) in cases {
            assert_eq!(resolve_in(source, probe), expected, "{source} / {probe}");
            assert!(relevant(source), "{source}");
        }
    }

    #[test]
    fn flyte_and_flytekit_import_styles() {
        let cases = [
            ("import flyte", "flyte.PodTemplate", "flyte.PodTemplate"),
            (
                "import flyte",
                "flyte.PodTemplate.from_spec",
                "flyte.PodTemplate.from_spec",
            ),
            ("import flyte as fl", "fl.PodTemplate", "flyte.PodTemplate"),
            (
                "from flyte import PodTemplate",
                "PodTemplate.from_spec",
                "flyte.PodTemplate.from_spec",
            ),
            (
                "from flyte import PodTemplate as PT",
                "PT",
                "flyte.PodTemplate",
            ),
            (
                "from flyte import TaskEnvironment, Resources",
                "Resources",
                "flyte.Resources",
            ),
            (
                "from flytekit import PodTemplate, task, Resources",
                "PodTemplate",
                "flytekit.PodTemplate",
            ),
            (
                "from flytekit import PodTemplate, task, Resources",
                "task",
                "flytekit.task",
            ),
            (
                "from flytekit import PodTemplate, task, Resources",
                "Resources",
                "flytekit.Resources",
            ),
            (
                "import flytekit as fl",
                "fl.PodTemplate",
                "flytekit.PodTemplate",
            ),
            ("import flytekit", "flytekit.task", "flytekit.task"),
            (
                "from flytekit.core.pod_template import PodTemplate",
                "PodTemplate",
                "flytekit.PodTemplate",
            ),
            (
                "from flytekit.core import pod_template",
                "pod_template.PodTemplate",
                "flytekit.PodTemplate",
            ),
            (
                "from flytekit.core.task import task",
                "task",
                "flytekit.task",
            ),
        ];
        for (source, probe, expected) in cases {
            assert_eq!(resolve_in(source, probe), expected, "{source} / {probe}");
            assert!(relevant(source), "{source}");
        }
    }

    #[test]
    fn the_same_name_means_different_things_by_import() {
        // `fl` is flyte in one file and flytekit in another: never decided by spelling.
        assert_eq!(
            resolve_in("import flyte as fl", "fl.PodTemplate"),
            "flyte.PodTemplate"
        );
        assert_eq!(
            resolve_in("import flytekit as fl", "fl.PodTemplate"),
            "flytekit.PodTemplate"
        );
        assert_eq!(
            resolve_in("import kubernetes as fl", "fl.PodTemplate"),
            "kubernetes.PodTemplate"
        );
    }

    #[test]
    fn files_without_flyte_flytekit_or_kubernetes_are_not_relevant() {
        for source in [
            "class PodTemplate:\n    pass\npt = PodTemplate()",
            "from mylib import PodTemplate, V1Container\nV1Container(name='x')",
            "import flyte_utils\nimport flytekitplugins.pod\nimport kubernetes_asyncio",
            "from . import flyte\nfrom .kubernetes import client",
            "from .flytekit import task",
            "# import flyte\ns = 'import kubernetes'",
            "import flytekitplugins\nfrom kubernetes_asyncio.client import V1Pod",
            "",
        ] {
            assert!(!relevant(source), "{source}");
        }
        assert!(
            relevant("def f():\n    import flyte\n"),
            "an import inside a function counts"
        );
        assert!(relevant("import os, flyte.io"));
        assert!(relevant(
            "from flytekit.core.pod_template import PodTemplate"
        ));
        assert!(relevant(
            "try:\n    import kubernetes\nexcept ImportError:\n    pass"
        ));
    }

    #[test]
    fn look_alikes_do_not_resolve_to_the_real_thing() {
        // A local class of the same name, with no import.
        assert_eq!(
            resolve_in("class PodTemplate: pass", "PodTemplate"),
            "opaque"
        );
        assert_eq!(
            resolve_in("class V1Container: pass", "V1Container"),
            "opaque"
        );
        // A bare name with no binding at all.
        assert_eq!(resolve_in("import flyte", "PodTemplate"), "opaque");
        assert_eq!(resolve_in("import kubernetes", "V1Pod"), "opaque");
        // Imported, then shadowed.
        assert_eq!(
            resolve_in(
                "from flyte import PodTemplate\nclass PodTemplate: pass",
                "PodTemplate"
            ),
            "opaque"
        );
        assert_eq!(
            resolve_in(
                "from flyte import PodTemplate\ndef PodTemplate(): pass",
                "PodTemplate"
            ),
            "opaque"
        );
        assert_eq!(
            resolve_in(
                "from flyte import PodTemplate\nPodTemplate = dict",
                "PodTemplate"
            ),
            "opaque"
        );
        assert_eq!(
            resolve_in("import flyte\nflyte = None", "flyte.PodTemplate"),
            "opaque"
        );
        // Other packages whose names contain or resemble ours.
        assert_eq!(
            resolve_in("import flyte_utils as flyte", "flyte.PodTemplate"),
            "flyte_utils.PodTemplate"
        );
        assert_eq!(
            resolve_in("from kubernetes_asyncio.client import V1Pod", "V1Pod"),
            "kubernetes_asyncio.client.V1Pod"
        );
        assert!(!is_under_roots("kubernetes_asyncio.client.V1Pod"));
        assert!(!is_under_roots("flyte_utils.PodTemplate"));
        // Relative imports are this project's modules.
        assert_eq!(resolve_in("from .models import V1Pod", "V1Pod"), "opaque");
        assert_eq!(
            resolve_in("from . import flyte", "flyte.PodTemplate"),
            "opaque"
        );
        // `kubernetes.V1Pod` does not exist; it resolves to that (unknown) name, not to the model.
        assert_eq!(
            resolve_in("import kubernetes", "kubernetes.V1Pod"),
            "kubernetes.V1Pod"
        );
        // A model of the client's module path that is a module, not a class, stays as written.
        assert_eq!(
            canonical_name("kubernetes.client.models"),
            "kubernetes.client.models"
        );
        assert_eq!(
            canonical_name("kubernetes.client.models.v1_pod"),
            "kubernetes.client.models.v1_pod"
        );
    }

    #[test]
    fn attributes_of_opaque_things_are_opaque() {
        assert_eq!(
            resolve_in("import flyte\nx = foo()", "x.PodTemplate"),
            "opaque"
        );
        assert_eq!(
            resolve_in("import flyte", "flyte.PodTemplate().pod_spec"),
            "opaque"
        );
        assert_eq!(resolve_in("import flyte", "get()[0].PodTemplate"), "opaque");
    }

    #[test]
    fn module_level_values_are_followed_once_bound() {
        let source = "import flyte\nfrom kubernetes.client import V1PodSpec, V1Container\n\
                      MOUNT_PATH = \"/data\"\n\
                      REPLICAS = 3\nNEG = -1\nRATIO = 0.5\nON = True\nNOTHING = None\n\
                      LABELS = {\"team\": \"ml\"}\nARGS = [\"a\", \"b\"]\nCPU = (1, 2)\n\
                      pod_template = flyte.PodTemplate(pod_spec=V1PodSpec(containers=[]))\n\
                      spec: V1PodSpec = V1PodSpec(containers=[V1Container(name=\"primary\")])\n\
                      fused = flyte.PodTemplate().allow_fuse()\n\
                      from_spec = flyte.PodTemplate.from_spec(spec)\n\
                      chained = pod_template.with_termination_grace_period(30)\n\
                      A = B = \"same\"\n\
                      PT = flyte.PodTemplate\n\
                      ALIAS = MOUNT_PATH";
        let cases = [
            ("MOUNT_PATH", "value \"/data\""),
            ("REPLICAS", "value 3"),
            ("NEG", "value -1"),
            ("RATIO", "value 0.5"),
            ("ON", "value True"),
            ("NOTHING", "value None"),
            ("LABELS", "value {\"team\": \"ml\"}"),
            ("ARGS", "value [\"a\", \"b\"]"),
            ("CPU", "value (1, 2)"),
            (
                "pod_template",
                "value flyte.PodTemplate(pod_spec=V1PodSpec(containers=[]))",
            ),
            (
                "spec",
                "value V1PodSpec(containers=[V1Container(name=\"primary\")])",
            ),
            ("fused", "value flyte.PodTemplate().allow_fuse()"),
            ("from_spec", "value flyte.PodTemplate.from_spec(spec)"),
            (
                "chained",
                "value pod_template.with_termination_grace_period(30)",
            ),
            ("A", "value \"same\""),
            ("B", "value \"same\""),
            ("PT", "flyte.PodTemplate"),
            ("ALIAS", "value \"/data\""),
            // An expression that is itself a literal or a recognised call is its own value.
            ("\"inline\"", "value \"inline\""),
            ("V1Container(name=\"x\")", "value V1Container(name=\"x\")"),
            ("PT()", "value PT()"),
        ];
        for (probe, expected) in cases {
            assert_eq!(resolve_in(source, probe), expected, "{probe}");
        }
    }

    #[test]
    fn values_that_only_run_time_knows_are_opaque() {
        let source = "import os\nimport flyte\n\
                      GCS_BUCKET = os.environ.get(\"BUCKET\")\n\
                      VERSION = \"1.2\"\nIMAGE = f\"n8nio/n8n:{VERSION}\"\n\
                      SUM = 1 + 2\n\
                      TEMPLATE = make_template()\n\
                      COUNT = len([1])\n\
                      JOINED = \"a\" \"b\"\n\
                      a, b = 1, 2\n\
                      [c] = [3]\n\
                      *d, e = [1, 2]";
        for probe in [
            "GCS_BUCKET",
            "IMAGE",
            "SUM",
            "TEMPLATE",
            "COUNT",
            "a",
            "b",
            "c",
            "d",
            "e",
        ] {
            assert_eq!(resolve_in(source, probe), "opaque", "{probe}");
        }
        // Implicit string concatenation is still a literal.
        assert_eq!(resolve_in(source, "JOINED"), "value \"a\" \"b\"");
    }

    #[test]
    fn rebound_or_conditionally_bound_names_are_opaque() {
        let cases = [
            "X = \"/a\"\nX = \"/b\"",
            "X = \"/a\"\nX += \"/b\"",
            "X = \"/a\"\ndel X",
            "if cond:\n    X = \"/a\"",
            "if cond:\n    X = \"/a\"\nelse:\n    X = \"/b\"",
            "for i in range(3):\n    X = \"/a\"",
            "while True:\n    X = \"/a\"\n    break",
            "try:\n    pass\nexcept Exception:\n    X = \"/a\"",
            "match y:\n    case 1:\n        X = \"/a\"",
            "X = \"/a\"\ndef f():\n    global X\n    X = \"/b\"",
            "X = \"/a\"\nfor X in []:\n    pass",
            "X = \"/a\"\nwith open('f') as X:\n    pass",
            "X = \"/a\"\nimport os as X",
            "X = \"/a\"\n[X := 1]",
            "X = \"/a\"\nclass X: pass",
            "if (X := \"/a\"):\n    pass",
            "X = \"/a\"\nmatch y:\n    case [*X]:\n        pass",
            "X = \"/a\"\ntry:\n    pass\nexcept E as X:\n    pass",
        ];
        for source in cases {
            assert_eq!(resolve_in(source, "X"), "opaque", "{source}");
        }
        // Conditional imports are opaque too.
        assert_eq!(
            resolve_in(
                "try:\n    import flyte\nexcept ImportError:\n    flyte = None",
                "flyte.PodTemplate"
            ),
            "opaque"
        );
        assert_eq!(
            resolve_in(
                "if TYPE_CHECKING:\n    from flyte import PodTemplate",
                "PodTemplate"
            ),
            "opaque"
        );
    }

    #[test]
    fn straight_line_blocks_keep_their_bindings() {
        assert_eq!(
            resolve_in(
                "try:\n    import flyte\nexcept ImportError:\n    raise",
                "flyte.PodTemplate"
            ),
            "flyte.PodTemplate"
        );
        assert_eq!(
            resolve_in("with ctx():\n    X = \"/a\"", "X"),
            "value \"/a\""
        );
        assert_eq!(
            resolve_in("try:\n    pass\nfinally:\n    X = 1", "X"),
            "value 1"
        );
        // The same import twice is one binding.
        assert_eq!(
            resolve_in("import flyte\nimport flyte", "flyte.PodTemplate"),
            "flyte.PodTemplate"
        );
        // So is a conditional import of a submodule (it binds the same package again); seen in
        // flyteorg/flyte-sdk examples (`import flyte.git` under `if __name__ == "__main__":`).
        assert_eq!(
            resolve_in(
                "import flyte\nif __name__ == \"__main__\":\n    import flyte.git",
                "flyte.TaskEnvironment"
            ),
            "flyte.TaskEnvironment"
        );
        // A conditional import of something else still makes the name opaque.
        assert_eq!(
            resolve_in(
                "import flyte\nif x:\n    import other as flyte",
                "flyte.TaskEnvironment"
            ),
            "opaque"
        );
        // Assigning a name inside a function (no `global`) does not rebind the module's.
        assert_eq!(
            resolve_in("X = \"/a\"\ndef f():\n    X = \"/b\"", "X"),
            "value \"/a\""
        );
        // A comprehension variable is local to the comprehension.
        assert_eq!(
            resolve_in("X = \"/a\"\nY = [X for X in range(3)]", "X"),
            "value \"/a\""
        );
        // Attribute and subscript assignments bind no name.
        assert_eq!(resolve_in("X = {}\nX[\"k\"] = 1\nX.y = 2", "X"), "value {}");
    }

    #[test]
    fn alias_cycles_and_long_chains_end_as_opaque() {
        assert_eq!(resolve_in("A = B\nB = A", "A"), "opaque");
        let mut chain = String::from("import flyte\nN0 = flyte.PodTemplate\n");
        for i in 1..100 {
            chain.push_str(&format!("N{i} = N{}\n", i - 1));
        }
        assert_eq!(resolve_in(&chain, "N5"), "flyte.PodTemplate");
        assert_eq!(resolve_in(&chain, "N99"), "opaque");
    }

    #[test]
    fn unrecognised_calls_are_not_followed_but_recognised_ones_are() {
        let source = "import flyte\nimport requests\nfrom mylib import make\n\
                      R = requests.get(\"u\")\nM = make()\nL = flyte.PodTemplate().allow_fuse\n\
                      X = (lambda: 1)()";
        for probe in ["R", "M", "X"] {
            assert_eq!(resolve_in(source, probe), "opaque", "{probe}");
        }
        // A bound method of a recognised call's result is not a value, nor a symbol.
        assert_eq!(resolve_in(source, "L"), "opaque");
    }

    /// Resolves the first `probe` name found inside the function `f` of `source`.
    fn resolve_inside(source: &str, probe: &str) -> String {
        let parsed = parse(source);
        assert!(parsed.errors.is_empty(), "{source}: {:?}", parsed.errors);
        let resolver = Resolver::new(&parsed.module);
        struct Find<'m> {
            probe: &'m str,
            found: Option<&'m Expr>,
        }
        impl<'m> Visitor<'m> for Find<'m> {
            fn visit_expr(&mut self, expr: &'m Expr) {
                if let Expr::Name(name) = expr {
                    if name.id.as_str() == self.probe && name.ctx.is_load() && self.found.is_none()
                    {
                        self.found = Some(expr);
                    }
                }
                visitor::walk_expr(self, expr);
            }
        }
        let mut find = Find { probe, found: None };
        let Some(Stmt::FunctionDef(def)) = parsed
            .module
            .body
            .iter()
            .find(|s| matches!(s, Stmt::FunctionDef(_)))
        else {
            panic!("no function")
        };
        find.visit_body(&def.body);
        let expr = find
            .found
            .unwrap_or_else(|| panic!("{probe} not used in f"));
        describe(&resolver.resolve(expr), source)
    }

    #[test]
    fn names_resolve_in_the_scope_of_their_position() {
        let source = "import flyte\nX = \"/a\"\n\
                      def f(param, pt=flyte.PodTemplate()):\n    \
                          local = \"/b\"\n    \
                          print(X, param, local, flyte)\n";
        assert_eq!(resolve_inside(source, "X"), "value \"/a\"");
        assert_eq!(resolve_inside(source, "param"), "opaque");
        assert_eq!(resolve_inside(source, "local"), "value \"/b\"");
        assert_eq!(resolve_inside(source, "flyte"), "flyte");

        // A helper that builds and returns a PodTemplate (facts: n8n_app.py).
        let source = "import kubernetes\nimport flyte\n\
                      def make():\n    \
                          spec = kubernetes.client.V1PodSpec(containers=[])\n    \
                          return flyte.PodTemplate(pod_spec=spec)\n";
        assert_eq!(
            resolve_inside(source, "spec"),
            "value kubernetes.client.V1PodSpec(containers=[])"
        );

        // A local that shadows a module-level import is the local's.
        let source = "from kubernetes.client import V1Pod\ndef f(V1Pod):\n    return V1Pod\n";
        assert_eq!(resolve_inside(source, "V1Pod"), "opaque");

        // A function-local import is seen inside the function only.
        let source = "def f():\n    from kubernetes.client import V1Pod\n    return V1Pod\n";
        assert_eq!(resolve_inside(source, "V1Pod"), "kubernetes.client.V1Pod");
        assert_eq!(resolve_in(source, "V1Pod"), "opaque");

        // Class bodies are not visible from their methods.
        let source = "X = 1\nclass C:\n    X = 2\n    def f(self):\n        return X\n";
        let parsed = parse(source);
        let resolver = Resolver::new(&parsed.module);
        let at = source.rfind("X").unwrap();
        let Stmt::ClassDef(class) = &parsed.module.body[1] else {
            panic!()
        };
        let Stmt::FunctionDef(method) = &class.body[1] else {
            panic!()
        };
        let Stmt::Return(ret) = &method.body[0] else {
            panic!()
        };
        let value = ret.value.as_deref().unwrap();
        assert_eq!(crate::python::range_of(value).start, at);
        assert_eq!(describe(&resolver.resolve(value), source), "value 1");

        // A nonlocal rebinding makes the enclosing function's name opaque.
        let source =
            "def f():\n    X = 1\n    def g():\n        nonlocal X\n        X = 2\n    return X\n";
        assert_eq!(resolve_inside(source, "X"), "opaque");
    }

    #[test]
    fn scopes_nest_by_position() {
        let source = "import flyte\nx = 1\n\
                      @deco(lambda a: a)\n\
                      def f(p=lambda q: q, *, r=[y for y in range(3)]) -> int:\n    \
                          g = [x for x in h(lambda: 1) if x]\n    \
                          class C(Base):\n        \
                              z = {k: v for k, v in items}\n        \
                              def m(self):\n            \
                                  return (lambda: [w for w in self])\n    \
                          return g\n\
                      t = {s for s in (lambda: 2)()}\n";
        let parsed = parse(source);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let resolver = Resolver::new(&parsed.module);
        for scope in &resolver.scopes {
            let children: Vec<_> = scope
                .children
                .iter()
                .map(|&c| resolver.scopes[c].range)
                .collect();
            for pair in children.windows(2) {
                assert!(pair[0].end() <= pair[1].start(), "{pair:?}");
            }
            for child in &children {
                assert!(
                    scope.range.contains_range(*child),
                    "{child:?} in {:?}",
                    scope.range
                );
            }
        }
        assert!(resolver.scopes.len() >= 10, "{}", resolver.scopes.len());
        // `x` in the comprehension's condition is the comprehension's, not the module's.
        let inner_x = source.find("if x]").unwrap() + 3;
        assert_eq!(
            resolver.innermost(TextSize::try_from(inner_x).unwrap()),
            resolver.innermost(TextSize::try_from(source.find("[x for").unwrap() + 1).unwrap())
        );
        let module_x = resolver.lookup("x", TextSize::try_from(inner_x).unwrap());
        assert!(matches!(module_x, Some(Binding::Opaque)), "{module_x:?}");
    }

    #[test]
    fn lambda_parameters_shadow() {
        let source = "X = 1\ndef f():\n    return (lambda X: X)(2)\n";
        assert_eq!(resolve_inside(source, "X"), "opaque");
    }

    #[test]
    fn star_imports_resolve_only_when_unambiguous() {
        assert_eq!(
            resolve_in("from kubernetes.client import *", "V1Pod"),
            "kubernetes.client.V1Pod"
        );
        assert_eq!(
            resolve_in("from kubernetes.client.models import *", "V1Pod"),
            "kubernetes.client.V1Pod"
        );
        assert_eq!(
            resolve_in(
                "from kubernetes.client import *\nfrom flyte import *",
                "V1Pod"
            ),
            "opaque"
        );
        assert_eq!(
            resolve_in("if K8S:\n    from kubernetes.client import *", "V1Pod"),
            "opaque"
        );
        // An explicit binding wins over the star.
        assert_eq!(
            resolve_in("from kubernetes.client import *\nV1Pod = 1", "V1Pod"),
            "value 1"
        );
    }

    #[test]
    fn callee_and_recognised_calls() {
        let text = "import flyte\nfrom kubernetes import client as k8s\nfrom mylib import make\n\
                    a = k8s.V1Pod()\nb = flyte.PodTemplate().allow_fuse()\nc = make()\n";
        let parsed = parse(text);
        let resolver = Resolver::new(&parsed.module);
        let call = |i: usize| match &parsed.module.body[i] {
            Stmt::Assign(a) => match &*a.value {
                Expr::Call(call) => call,
                _ => panic!(),
            },
            _ => panic!(),
        };
        assert_eq!(
            resolver.callee(call(3)).as_deref(),
            Some("kubernetes.client.V1Pod")
        );
        assert!(resolver.is_recognised_call(call(3)));
        assert_eq!(resolver.callee(call(4)), None);
        assert!(resolver.is_recognised_call(call(4)));
        assert_eq!(resolver.callee(call(5)).as_deref(), Some("mylib.make"));
        assert!(!resolver.is_recognised_call(call(5)));
        assert_eq!(
            resolver.frameworks(),
            Frameworks {
                flyte: true,
                flytekit: false,
                kubernetes: true
            }
        );
    }

    #[test]
    fn canonical_names() {
        assert_eq!(
            canonical_name("kubernetes.client.models.v1_pod.V1Pod"),
            "kubernetes.client.V1Pod"
        );
        assert_eq!(
            canonical_name("kubernetes.client.models.V1Pod.from_dict"),
            "kubernetes.client.V1Pod.from_dict"
        );
        assert_eq!(
            canonical_name("kubernetes.client.V1Pod"),
            "kubernetes.client.V1Pod"
        );
        assert_eq!(
            canonical_name("flytekit.core.pod_template.PodTemplate"),
            "flytekit.PodTemplate"
        );
        assert_eq!(
            canonical_name("flytekit.core.pod_template.PodTemplateX"),
            "flytekit.core.pod_template.PodTemplateX"
        );
        assert_eq!(
            canonical_name("flyte._pod.PodTemplate.from_spec"),
            "flyte.PodTemplate.from_spec"
        );
        assert_eq!(canonical_name("flyte.PodTemplate"), "flyte.PodTemplate");
        assert_eq!(canonical_name(""), "");
    }

    #[test]
    fn the_docs_example_resolves_end_to_end() {
        // flyte-sdk examples/advanced/pod_template.py, shortened.
        let source = "from kubernetes.client import (\n    V1Container,\n    V1EnvVar,\n    V1LocalObjectReference,\n    V1PodSpec,\n)\n\
                      import flyte\n\n\
                      pod_template = flyte.PodTemplate(\n    primary_container_name=\"primary\",\n    \
                      labels={\"lKeyA\": \"lValA\"},\n    pod_spec=V1PodSpec(\n        containers=[\n            \
                      V1Container(name=\"primary\", image=\"python:3.12\", env=[V1EnvVar(name=\"hello\", value=\"world\")]),\n        ],\n        \
                      image_pull_secrets=[V1LocalObjectReference(name=\"regcred-test\")],\n    ),\n)\n\n\
                      env = flyte.TaskEnvironment(name=\"pod_template\", pod_template=pod_template)\n";
        let parsed = parse(source);
        assert!(parsed.errors.is_empty());
        let resolver = Resolver::new(&parsed.module);
        assert!(resolver.is_relevant());
        let Stmt::Assign(env) = &parsed.module.body[3] else {
            panic!()
        };
        let Expr::Call(call) = &*env.value else {
            panic!()
        };
        assert_eq!(
            resolver.callee(call).as_deref(),
            Some("flyte.TaskEnvironment")
        );
        let pod_template = &call.arguments.find_keyword("pod_template").unwrap().value;
        let Resolved::Value(Expr::Call(template)) = resolver.resolve(pod_template) else {
            panic!()
        };
        assert_eq!(
            resolver.callee(template).as_deref(),
            Some("flyte.PodTemplate")
        );
        let spec = &template.arguments.find_keyword("pod_spec").unwrap().value;
        let Expr::Call(spec) = spec else { panic!() };
        assert_eq!(
            resolver.callee(spec).as_deref(),
            Some("kubernetes.client.V1PodSpec")
        );
    }
}
