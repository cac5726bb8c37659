// lesson 07's exercises: in progress
export {};
