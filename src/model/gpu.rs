//! What a Flyte accelerator string (`flyte.Resources(gpu="A100:2")`) becomes: the device class,
//! the Kubernetes resource the backend requests, and the node label value it schedules on.
//!
//! From flyte 2.12.1: `flyte/_resources.py` (`Resources.get_device` splits at the `:` and finds
//! the device's class by membership in `GPUType`, `TPUType`, `NeuronType`, `AMD_GPUType`,
//! `HABANA_GAUDIType`; `AppleSilicon` is a devbox device) and
//! `flyte/_internal/runtime/resources_serde.py` (`ACCELERATOR_DEVICE_MAP` turns the device into
//! the label value; unmapped names pass through). The backend then renames the generic `gpu`
//! resource to the class's resource name and adds a node selector on
//! `k8s.amazonaws.com/accelerator` (flytepropeller `SanitizeGPUResourceRequirements`, facts
//! flyte-semantics §5.2). Whether the string is in the SDK's closed list is the schema's enum
//! (FLY105), not this module's question.

/// The accelerator a string names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accelerator {
    /// The device as written before the `:` (`A100`, `T4 shared`).
    pub device: String,
    /// The count after the `:` (1 when absent, as for `AppleSilicon`).
    pub count: u64,
    /// The SDK's device class: `GPU`, `TPU`, `NEURON`, `AMD_GPU`, `HABANA_GAUDI`, `APPLE_SILICON`.
    pub class: &'static str,
    /// The Kubernetes resource the backend requests; `None` for Apple Silicon (no pod).
    pub resource: Option<&'static str>,
    /// The value of the node label the pod is scheduled on (`nvidia-tesla-a100`).
    pub label: Option<String>,
}

/// `ACCELERATOR_DEVICE_MAP` of flyte 2.12.1.
const DEVICE_LABELS: &[(&str, &str)] = &[
    ("A100", "nvidia-tesla-a100"),
    ("A100_80G", "nvidia-a100-80gb"),
    ("A100 80G", "nvidia-a100-80gb"),
    ("H100", "nvidia-tesla-h100"),
    ("A10", "nvidia-a10"),
    ("A10G", "nvidia-a10g"),
    ("A100G", "nvidia-a100g"),
    ("L4", "nvidia-l4"),
    ("L40s", "nvidia-l40s"),
    ("L4_VWS", "nvidia-l4-vws"),
    ("K80", "nvidia-tesla-k80"),
    ("M60", "nvidia-tesla-m60"),
    ("P4", "nvidia-tesla-p4"),
    ("P100", "nvidia-tesla-p100"),
    ("RTX_PRO_4500", "nvidia-rtx-pro-4500"),
    ("RTX_PRO_6000", "nvidia-rtx-pro-6000"),
    ("RTX PRO 6000", "nvidia-rtx-pro-6000"),
    ("T4", "nvidia-tesla-t4"),
    ("V100", "nvidia-tesla-v100"),
    ("V5E", "tpu-v5-lite-podslice"),
    ("V5P", "tpu-v5p-slice"),
    ("V6E", "tpu-v6e-slice"),
];

/// `TPUType`, `NeuronType`, `AMD_GPUType`, `HABANA_GAUDIType` of flyte 2.12.1; every other
/// device of the closed list is an NVIDIA `GPUType`.
const TPU: &[&str] = &["V5E", "V5P", "V6E"];
const NEURON: &[&str] = &["Inf1", "Inf2", "Trn1", "Trn1n", "Trn2", "Trn2u"];
const AMD: &[&str] = &[
    "MI100", "MI210", "MI250", "MI250X", "MI300A", "MI300X", "MI325X", "MI350X", "MI355X",
];
const GAUDI: &[&str] = &["Gaudi1"];

/// Reads `"<DEVICE>:<COUNT>"` (or `AppleSilicon` alone); `None` for what is not that shape.
pub fn describe(gpu: &str) -> Option<Accelerator> {
    let (device, count) = match gpu.split_once(':') {
        Some((d, n)) => (d, n.trim().parse::<u64>().ok()?),
        None if gpu == "AppleSilicon" => (gpu, 1),
        None => return None,
    };
    if device.is_empty() {
        return None;
    }
    let (class, resource) = if device == "AppleSilicon" {
        ("APPLE_SILICON", None)
    } else if TPU.contains(&device) {
        ("TPU", Some("google.com/tpu"))
    } else if NEURON.contains(&device) {
        ("NEURON", Some("aws.amazon.com/neuron"))
    } else if AMD.contains(&device) {
        ("AMD_GPU", Some("amd.com/gpu"))
    } else if GAUDI.contains(&device) {
        ("HABANA_GAUDI", Some("habana.ai/gaudi"))
    } else {
        ("GPU", Some("nvidia.com/gpu"))
    };
    let label = resource.map(|_| {
        DEVICE_LABELS
            .iter()
            .find(|(d, _)| *d == device)
            .map_or(device, |(_, l)| l)
            .to_string()
    });
    Some(Accelerator {
        device: device.to_string(),
        count,
        class,
        resource,
        label,
    })
}

/// One line saying what the string becomes, for hover and completion details.
pub fn summary(a: &Accelerator) -> String {
    match (a.resource, &a.label) {
        (Some(resource), Some(label)) => format!(
            "{n} × {device}: requests `{resource}: {n}` on a node labelled \
             `k8s.amazonaws.com/accelerator: {label}`",
            n = a.count,
            device = a.device,
        ),
        _ => format!(
            "{} × {}: the Metal GPU of an Apple Silicon Mac (a devbox device: the task runs on \
             the Mac host, not in a pod)",
            a.count, a.device
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_classes_and_labels() {
        let a = describe("A100:2").expect("A100");
        assert_eq!(
            (a.count, a.class, a.resource),
            (2, "GPU", Some("nvidia.com/gpu"))
        );
        assert_eq!(a.label.as_deref(), Some("nvidia-tesla-a100"));
        let t = describe("T4 shared:1").expect("shared");
        assert_eq!(t.label.as_deref(), Some("T4 shared"));
        assert_eq!(
            describe("Trn1:16").map(|a| a.resource),
            Some(Some("aws.amazon.com/neuron"))
        );
        assert_eq!(
            describe("V5P:4").map(|a| a.label),
            Some(Some("tpu-v5p-slice".into()))
        );
        assert_eq!(describe("AppleSilicon").map(|a| a.resource), Some(None));
        assert!(summary(&describe("H100:8").expect("H100")).contains("nvidia-tesla-h100"));
        assert_eq!(describe("A100"), None);
        assert_eq!(describe("A100:x"), None);
        assert_eq!(describe(":1"), None);
    }
}
