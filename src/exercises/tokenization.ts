// lesson 01's exercises: in progress
export {};
